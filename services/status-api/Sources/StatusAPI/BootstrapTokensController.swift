import FlotillaIdentity
import Foundation
import HTTPTypes
import Hummingbird
import Shared

/// `POST /v1/clusters/{name}/bootstrap-tokens`: a one-time token with which that cluster's agent
/// enrols with the hub's CA (`flotilla clusters token create NAME --ttl`). The token is in the
/// answer once and nowhere else: the log records only its id and the public key derived from
/// its secret (``BootstrapTokenIssued``), so neither the log nor the hub can recreate it.
struct BootstrapTokensController<Context: RequestContext>: Sendable {
    let publisher: any SubmissionPublisher
    static var ttlRange: ClosedRange<Int> { 60...604_800 }
    static var defaultTTL: Int { 3_600 }

    struct Request: Decodable {
        var ttlSeconds: Int?
    }

    struct Created: Encodable {
        var cluster: String
        var tokenID: String
        var token: String
        var expiresAt: Date
    }

    func add(to router: Router<Context>) {
        router.post("/v1/clusters/:name/bootstrap-tokens", use: create)
    }

    @Sendable func create(_ request: Hummingbird.Request, context: Context) async throws -> Response {
        let cluster = try context.parameters.require("name")
        if let problem = ResourceName.problem(with: cluster) {
            throw ProblemDetails(.unprocessableContent, type: "invalid-document", title: "Invalid cluster name", detail: problem, errors: [FieldError(field: "name", problem: problem)])
        }
        let body = try await request.body.collect(upTo: 4_096)
        var ttl = Self.defaultTTL
        if body.readableBytes > 0 {
            if let type = request.headers[.contentType], !type.lowercased().hasPrefix("application/json") {
                throw ProblemDetails(.unsupportedMediaType, type: "unsupported-media-type", title: "Unsupported media type", detail: "Content-Type '\(type)' is not application/json")
            }
            let decoded: Request
            do { decoded = try JSONDecoder().decode(Request.self, from: Data(buffer: body)) } catch {
                throw ProblemDetails(.badRequest, type: "malformed-request", title: "Malformed request", detail: "the body is not {\"ttlSeconds\": N}: \(JSONCoding.describe(error))")
            }
            ttl = decoded.ttlSeconds ?? ttl
        }
        guard Self.ttlRange.contains(ttl) else {
            let problem = "must be in \(Self.ttlRange.lowerBound)...\(Self.ttlRange.upperBound) seconds, got \(ttl)"
            throw ProblemDetails(.unprocessableContent, type: "invalid-document", title: "Invalid token lifetime", detail: "ttlSeconds \(problem)", errors: [FieldError(field: "ttlSeconds", problem: problem)])
        }
        let token = BootstrapToken()
        let expiresAt = Date().addingTimeInterval(TimeInterval(ttl)).eventPrecision
        try await publisher.publishBootstrapToken(BootstrapTokenIssued(cluster: cluster, tokenID: token.id, verifier: token.verifier, expiresAt: expiresAt))
        return try JSONBody.response(
            Created(cluster: cluster, tokenID: token.id, token: token.text, expiresAt: expiresAt), status: .created, headers: [.cacheControl: "no-store"]
        )
    }
}
