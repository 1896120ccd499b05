import Foundation
import Logging

/// Publishes events and returns only once the broker confirmed them (idempotent producer,
/// acks=all), so a caller may treat a state change as published when `publish` returns.
public struct EventPublisher: EventSink {
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
