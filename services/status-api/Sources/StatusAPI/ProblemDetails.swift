import Foundation
import Hummingbird
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

    enum CodingKeys: String, CodingKey { case type, title, status, detail, errors }

    init(_ status: HTTPResponse.Status, type: String, title: String, detail: String, errors: [FieldError]? = nil) {
        self.type = "https://flotilla.dev/problems/\(type)"
        self.title = title
        self.status = status
        self.detail = detail
        self.errors = errors
    }

    static func notFound(_ what: String) -> ProblemDetails {
        ProblemDetails(.notFound, type: "not-found", title: "Not found", detail: "\(what) does not exist")
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
        return Response(
            status: status,
            headers: [.contentType: "application/problem+json"],
            body: .init(byteBuffer: ByteBuffer(bytes: data))
        )
    }
}

/// Turns any error a handler throws into problem+json; unknown errors become a 500 whose
/// detail says nothing about internals (the log has the rest).
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let problem as ProblemDetails {
            return try problem.response(from: request, context: context)
        } catch let error as HTTPError {
            return try ProblemDetails(error.status, type: "http-\(error.status.code)", title: error.status.reasonPhrase, detail: error.body ?? error.status.reasonPhrase)
                .response(from: request, context: context)
        } catch {
            context.logger.error("request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            return try ProblemDetails(.internalServerError, type: "internal", title: "Internal error", detail: "the request could not be completed; see the status API's log")
                .response(from: request, context: context)
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
