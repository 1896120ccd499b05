import Foundation
import Hummingbird
import NIOCore
import Shared

/// RFC 9457 problem details: every error the API returns is `application/problem+json`
/// with a stable `type`, a human `title`, the `detail`, and for validation errors the list
/// of fields that are wrong. Driver and internal error text is never leaked.
struct ProblemDetails: HTTPResponseError, Codable {
    var type: String
    var title: String
    var status: HTTPResponse.Status
    var detail: String
    var errors: [FieldError]?
    /// Sent with the response (`Retry-After`, `Allow`), not part of the body.
    var headers: HTTPFields = [:]

    enum CodingKeys: String, CodingKey { case type, title, status, detail, errors }

    init(_ status: HTTPResponse.Status, type: String, title: String, detail: String, errors: [FieldError]? = nil, headers: HTTPFields = [:]) {
        self.type = "https://flotilla.dev/problems/\(type)"
        self.title = title
        self.status = status
        self.detail = detail
        self.errors = errors
        self.headers = headers
    }

    /// Seconds a client should wait before trying again after a 503.
    static let retryAfterSeconds = 2

    /// 503 with `Retry-After`: a dependency (PostgreSQL, the broker) cannot serve right now.
    static func unavailable(type: String, _ detail: String) -> ProblemDetails {
        ProblemDetails(.serviceUnavailable, type: type, title: "Service unavailable", detail: detail, headers: [.retryAfter: "\(retryAfterSeconds)"])
    }

    static func notFound(_ what: String) -> ProblemDetails {
        ProblemDetails(.notFound, type: "not-found", title: "Not found", detail: "\(what) does not exist")
    }

    static var bodyTooLarge: ProblemDetails {
        ProblemDetails(.contentTooLarge, type: "body-too-large", title: "Body too large",
                       detail: "the body exceeds \(RequestLimits.maximumBodyBytes) bytes (a job document is far smaller)")
    }

    static func invalidDocument(_ error: JobValidationError) -> ProblemDetails {
        ProblemDetails(.unprocessableContent, type: "invalid-job", title: "The job document is invalid", detail: error.description, errors: error.errors)
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        type = try container.decode(String.self, forKey: .type)
        title = try container.decode(String.self, forKey: .title)
        status = HTTPResponse.Status(code: try container.decode(Int.self, forKey: .status))
        detail = try container.decode(String.self, forKey: .detail)
        errors = try container.decodeIfPresent([FieldError].self, forKey: .errors)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(type, forKey: .type)
        try container.encode(title, forKey: .title)
        try container.encode(status.code, forKey: .status)
        try container.encode(detail, forKey: .detail)
        try container.encodeIfPresent(errors, forKey: .errors)
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        let data = (try? JSONCoding.encoder.encode(self)) ?? Data()
        var headers = self.headers
        headers[.contentType] = "application/problem+json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// Turns any error a handler throws into problem+json; unknown errors become a 500 whose
/// detail says nothing about internals (the log has the rest).
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            return try Self.problem(for: error, request: request, context: context).response(from: request, context: context)
        }
    }

    static func problem(for error: any Error, request: Request, context: Context) -> ProblemDetails {
        switch error {
        case let problem as ProblemDetails:
            return problem
        case let error as HTTPError:
            return ProblemDetails(error.status, type: "http-\(error.status.code)", title: error.status.reasonPhrase, detail: error.body ?? error.status.reasonPhrase,
                                  headers: error.headers)
        case is NIOTooManyBytesError:
            return .bodyTooLarge
        case let error as DatabaseUnavailable:
            context.logger.warning("read model unavailable", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            return .unavailable(type: "database-unavailable", "\(error.reason); try again shortly")
        case let error as KafkaError:
            context.logger.warning("event log unavailable", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            return .unavailable(type: "event-log-unavailable", "the event log (Kafka) did not accept the event; try again shortly")
        default:
            context.logger.error("request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            return ProblemDetails(.internalServerError, type: "internal", title: "Internal error", detail: "the request could not be completed; see the status API's log")
        }
    }
}

/// A JSON body with the project's one JSON configuration.
enum JSONBody {
    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) throws -> Response {
        var headers = headers
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try JSONCoding.encoder.encode(value))))
    }
}
