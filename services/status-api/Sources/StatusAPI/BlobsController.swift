import Foundation
import HTTPTypes
import Hummingbird
import Shared

/// `/v1/blobs`: files the hub keeps for jobs, named by their sha256 (trainer apps, uploaded by
/// `flotilla submit --app`; initial models, by `flotilla submit --initial-model`). A model's
/// layout is read once here and kept with the blob, so a job naming it is checked at once. `PUT /v1/blobs/sha256:<hex>` stores one (201; 200 when it is
/// already there); the bytes must have that digest (422 otherwise). It goes on the event log
/// (`flotilla.blobs`), where the collaborators fetch it.
struct BlobsController<Context: RequestContext>: Sendable {
    let readModel: any StatusReadModel
    let publisher: any SubmissionPublisher

    static var maximumBytes: Int { AppArchive.maximumBytes + (1 << 20) }

    func add(to group: RouterGroup<Context>) {
        group.put(":digest", use: put)
        group.get(":digest", use: show)
    }

    @Sendable func put(_ request: Request, context: Context) async throws -> Response {
        let digest = try context.parameters.require("digest")
        guard AppArchive.isDigest(digest) else { throw Self.badDigest(digest) }
        if let type = request.headers[.contentType], !type.lowercased().hasPrefix("application/octet-stream") && !type.lowercased().hasPrefix("application/x-tar") {
            throw ProblemDetails(
                .unsupportedMediaType, type: "unsupported-media-type", title: "Unsupported media type",
                detail: "Content-Type '\(type)' is not a blob; send application/octet-stream or application/x-tar"
            )
        }
        if let length = request.headers[.contentLength].flatMap(Int.init), length > Self.maximumBytes { throw ProblemDetails.bodyTooLarge }
        let body = try await request.body.collect(upTo: Self.maximumBytes)
        let blob = BlobPublished(bytes: [UInt8](buffer: body))
        guard blob.digest == digest else {
            throw ProblemDetails(
                .unprocessableContent, type: "digest-mismatch", title: "Digest mismatch",
                detail: "the body's digest is \(blob.digest), not the \(digest) the path names",
                errors: [FieldError(field: "digest", problem: "the body hashes to \(blob.digest)")]
            )
        }
        if let known = try await readModel.blob(digest) { return try JSONBody.response(known) }
        try await publisher.publishBlob(blob)
        let content = BlobContent(of: blob.bytes)
        try await readModel.recordBlob(digest, size: blob.bytes.count, content: content)
        let view = try await readModel.blob(digest)
            ?? BlobView(digest: digest, size: blob.bytes.count, publishedAt: Date(), model: content.model, notAModel: content.notAModel)
        return try JSONBody.response(view, status: .created, headers: [.location: "/v1/blobs/\(digest)"])
    }

    @Sendable func show(_ request: Request, context: Context) async throws -> Response {
        let digest = try context.parameters.require("digest")
        guard AppArchive.isDigest(digest) else { throw Self.badDigest(digest) }
        guard let blob = try await readModel.blob(digest) else { throw ProblemDetails.notFound("blob '\(digest)'") }
        return try JSONBody.response(blob)
    }

    static func badDigest(_ digest: String) -> ProblemDetails {
        ProblemDetails(
            .badRequest, type: "invalid-parameter", title: "Invalid digest",
            detail: "'\(TextFields.escaped(String(digest.prefix(80))))' is not sha256: and 64 lowercase hex digits",
            errors: [FieldError(field: "digest", problem: "must be sha256:<64 lowercase hex digits>")]
        )
    }
}
