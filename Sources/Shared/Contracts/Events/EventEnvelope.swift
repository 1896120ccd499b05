import Foundation

/// The envelope every event carries: the CloudEvents attributes (id, source, type, time,
/// subject, content type) plus Flotilla's schema version. On Kafka they travel as `ce_*`
/// headers (the CloudEvents Kafka binary binding) and `data` is the message value.
public struct EventEnvelope: Sendable, Hashable {
    public static let specVersion = "1.0"

    public var id: String
    public var type: EventType
    public var schemaVersion: Int
    public var source: String
    public var time: Date
    /// The entity the event is about (job or cluster id); also the Kafka key, so each
    /// entity's history stays ordered in one partition.
    public var subject: String
    public var contentType: ContentType
    public var data: [UInt8]
    /// Set on the pieces of an event split across several messages (see `chunked`).
    public var chunk: EventChunk?
    /// Set on events a cluster (or the hub) signed with its certificate's key.
    public var signature: EventSignature?

    public enum ContentType: String, Sendable, Hashable {
        case json = "application/json"
        /// A model in the safetensors format; its metadata travels in the file's own header.
        case safetensors = "application/vnd.safetensors"
        /// Opaque bytes named by their digest (``BlobPublished``).
        case octetStream = "application/octet-stream"
    }

    public init(
        id: String = UUID().uuidString.lowercased(), type: EventType, schemaVersion: Int = 1,
        source: String, time: Date = Date(), subject: String, contentType: ContentType, data: [UInt8], chunk: EventChunk? = nil, signature: EventSignature? = nil
    ) {
        self.chunk = chunk
        self.signature = signature
        self.id = id
        self.type = type
        self.schemaVersion = schemaVersion
        self.source = source
        self.time = Self.millisecondPrecision(time)
        self.subject = subject
        self.contentType = contentType
        self.data = data
    }

    public var topic: Topic { type.topic }

    /// Event times carry milliseconds, as they do on the wire.
    static func millisecondPrecision(_ date: Date) -> Date { date.eventPrecision }
}
