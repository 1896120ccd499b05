import Foundation
import HTTPTypes
import Hummingbird

/// What the API accepts on the wire, defined once for the routes, the problems and the README.
enum RequestLimits {
    /// A job document is a few kilobytes; anything larger than this is refused with 413.
    static let maximumBodyBytes = 1 << 20
    /// The request line (with its URL) and headers together; NIO refuses more (see ``MalformedRequestHandler``).
    static let maximumHeadBytes = 80 * 1024
    /// Media types of a job document (YAML, of which JSON is a subset). A request without
    /// `Content-Type` is read as YAML too (nothing else is posted there); any other type, e.g.
    /// curl's default `application/x-www-form-urlencoded`, is refused with 415.
    static let documentMediaTypes: Set<String> = ["application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml", "application/json"]

    /// Checks the declared type and size of a job document before reading it.
    static func checkDocumentHeaders(of request: Request) throws {
        if let type = request.headers[.contentType] {
            let mediaType = type.split(separator: ";", maxSplits: 1)[0].trimmingCharacters(in: .whitespaces).lowercased()
            guard documentMediaTypes.contains(mediaType) else {
                throw ProblemDetails(
                    .unsupportedMediaType, type: "unsupported-media-type", title: "Unsupported media type",
                    detail: "Content-Type '\(type)' is not a job document; send one of \(documentMediaTypes.sorted().joined(separator: ", "))",
                    headers: [HTTPField.Name("Accept-Post")!: documentMediaTypes.sorted().joined(separator: ", ")]
                )
            }
        }
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maximumBodyBytes {
            throw ProblemDetails.bodyTooLarge
        }
    }
}
