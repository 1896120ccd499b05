import Foundation

/// Where a service's handling publishes its events: the broker (``EventPublisher``) or, for
/// fast in-process tests of that handling, the in-memory twin (``RecordingEventSink``).
public protocol EventSink: Sendable {
    /// The CloudEvents `source` of everything published through this sink.
    var source: String { get }
    /// Model events larger than this travel as several messages (see `EventChunk`).
    var chunkBytes: Int { get }
    /// Publishes one envelope and returns once it is durable, with where it landed.
    @discardableResult
    func publish(_ envelope: EventEnvelope) async throws -> (partition: Int32, offset: Int64)
}

extension EventSink {
    /// Publishes `payload` under a fresh id, or under `id` (e.g. one from ``EventIdentity``).
    @discardableResult
    public func publish(_ payload: some EventPayload, id: String? = nil) async throws -> EventEnvelope {
        let envelope = payload.envelope(source: source, id: id ?? UUID().uuidString.lowercased())
        try await publish(envelope)
        return envelope
    }

    @discardableResult
    public func publish(_ model: some ModelEvent, id: String? = nil) async throws -> EventEnvelope {
        try await publish(EncodedModel(model), id: id)
    }

    /// Publishes a model already encoded (its bytes are sent as they are, not encoded again).
    @discardableResult
    public func publish(_ model: EncodedModel<some ModelEvent>, id: String? = nil) async throws -> EventEnvelope {
        let envelope = model.envelope(source: source, id: id ?? UUID().uuidString.lowercased())
        // Pieces share the key, so they stay in order on one partition.
        for piece in envelope.pieces(maximumBytes: chunkBytes) { try await publish(piece) }
        return envelope
    }
}

extension EventSink {
    /// Publishes a blob, in pieces when it is larger than the chunk size.
    @discardableResult
    public func publish(_ blob: BlobPublished) async throws -> EventEnvelope {
        let envelope = blob.envelope(source: source)
        for piece in envelope.pieces(maximumBytes: chunkBytes) { try await publish(piece) }
        return envelope
    }
}

/// The in-memory twin of the broker for a service's handling: keeps every envelope published,
/// in order, whole (its chunk size is unlimited).
public actor RecordingEventSink: EventSink {
    public nonisolated let source: String
    public nonisolated let chunkBytes = Int.max
    public private(set) var envelopes: [EventEnvelope] = []

    public init(source: String) { self.source = source }

    @discardableResult
    public func publish(_ envelope: EventEnvelope) -> (partition: Int32, offset: Int64) {
        envelopes.append(envelope)
        return (0, Int64(envelopes.count - 1))
    }

    /// The envelopes of one type, in the order they were published.
    public func envelopes(of type: EventType) -> [EventEnvelope] { envelopes.filter { $0.type == type } }
}
