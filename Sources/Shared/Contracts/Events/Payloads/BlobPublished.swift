import Foundation

/// A content-addressed file the hub keeps for jobs (a trainer app's archive): its bytes are the
/// event's data, its subject their digest, `sha256:<hex>`. Large ones travel in pieces, as
/// models do. Every reader checks the bytes against the digest before using them.
public struct BlobPublished: Sendable {
    public static let eventType = EventType.blobPublished
    public var digest: String
    public var bytes: [UInt8]

    public init(bytes: [UInt8]) {
        self.bytes = bytes
        self.digest = AppArchive.digest(of: bytes)
    }

    public func envelope(source: String, id: String = UUID().uuidString.lowercased()) -> EventEnvelope {
        EventEnvelope(id: id, type: Self.eventType, source: source, subject: digest, contentType: .octetStream, data: bytes)
    }

    /// A blob read back: its bytes must have the digest its subject names.
    public init(envelope: EventEnvelope) throws(EventDecodingError) {
        guard envelope.type == Self.eventType, envelope.contentType == .octetStream else {
            throw EventDecodingError("\(envelope.type.rawValue) is not a blob")
        }
        guard AppArchive.isDigest(envelope.subject) else {
            throw EventDecodingError("BlobPublished: subject '\(TextFields.escaped(String(envelope.subject.prefix(80))))' is not a sha256: digest")
        }
        self.init(bytes: envelope.data)
        guard digest == envelope.subject else {
            throw EventDecodingError("BlobPublished: the bytes' digest \(digest) is not the \(envelope.subject) they claim")
        }
    }
}
