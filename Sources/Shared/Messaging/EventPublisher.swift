import Foundation
import Logging

/// Publishes events and returns only once the broker confirmed them (idempotent producer,
/// acks=all), so a caller may treat a state change as published when `publish` returns.
public struct EventPublisher: Sendable {
    public let producer: KafkaProducer
    public let topicPrefix: String
    /// The CloudEvents `source` of everything this process publishes, e.g. `flotilla/aggregator`.
    public let source: String
    /// Model events larger than this travel as several messages (see `EventChunk`).
    public let chunkBytes: Int

    public init(producer: KafkaProducer, topicPrefix: String, source: String, chunkBytes: Int = HubConfiguration.defaultModelChunkBytes) {
        self.producer = producer
        self.topicPrefix = topicPrefix
        self.source = source
        self.chunkBytes = chunkBytes
    }

    @discardableResult
    public func publish(_ envelope: EventEnvelope) async throws -> (partition: Int32, offset: Int64) {
        try await producer.send(envelope.record(prefix: topicPrefix))
    }

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

    /// Sends a message no handler could accept to the dead-letter topic: the original key,
    /// value and headers unchanged, plus headers that say where it came from and why.
    public func deadLetter(_ message: KafkaConsumerMessage, reason: String, service: String) async throws {
        var headers = message.headers
        let extra: [(String, String)] = [
            (DeadLetterHeader.reason, reason),
            (DeadLetterHeader.topic, message.topic),
            (DeadLetterHeader.partition, String(message.partition)),
            (DeadLetterHeader.offset, String(message.offset)),
            (DeadLetterHeader.service, service),
        ]
        headers += extra.map { KafkaHeader(key: $0.0, value: Array($0.1.utf8)) }
        let record = KafkaRecord(topic: Topic.deadLetter.name(prefix: topicPrefix), key: message.key, value: message.value, headers: headers)
        _ = try await producer.send(record)
    }
}

/// Headers added to a dead-lettered message (the original headers are kept as they were).
public enum DeadLetterHeader {
    public static let reason = "flotilla-dlq-reason"
    public static let topic = "flotilla-dlq-topic"
    public static let partition = "flotilla-dlq-partition"
    public static let offset = "flotilla-dlq-offset"
    public static let service = "flotilla-dlq-service"
}
