import Foundation
import Logging
import Synchronization

/// Reads every event of some topics from their beginning up to "now", for a service that
/// rebuilds its state from the log at start. "Now" is a ``StreamMarker`` written into each
/// partition first; the result is where live consumption continues (just past each marker),
/// so no event is both replayed and consumed live, and none falls between the two.
public struct TopicReplay: Sendable {
    public let configuration: HubConfiguration
    public let producer: KafkaProducer
    /// Names the replay consumer (`flotilla-<service>-replay`); it never commits offsets.
    public let service: String
    public let logger: Logger

    /// Transfers the replay's end cut in two (the first pieces before the marker, the rest
    /// after it), for the live consumer to complete: see ``EventSource``.
    public let unfinished = UnfinishedTransfers()

    public init(configuration: HubConfiguration, producer: KafkaProducer, service: String, logger: Logger) {
        self.configuration = configuration
        self.producer = producer
        self.service = service
        self.logger = logger
    }

    private struct Partition: Hashable {
        var topic: String
        var partition: Int32
    }

    /// Hands each event written to `topics` before this call to `handler`: in log order within
    /// a partition, interleaved across partitions and topics. Chunked events are reassembled,
    /// or skipped when `skipChunked` (model events a replay does not need) or when `reassembling`
    /// says no for their pieces (judged by the envelope: type, source, subject). Records that
    /// are not valid events were dead-lettered when first consumed and are skipped here.
    public func replay(
        _ topics: [Topic], skipChunked: Bool = false, reassembling: ((EventEnvelope) -> Bool)? = nil, handler: (ConsumedEvent) async throws -> Void
    ) async throws -> [KafkaTopicPartitionOffset] {
        let ends = try await writeMarkers(on: topics)
        let consumer = try KafkaConsumer(
            configuration: configuration.kafka, groupID: "flotilla-\(service)-replay",
            subscription: .assign(ends.keys.map { KafkaTopicPartitionOffset(topic: $0.topic, partition: $0.partition, offset: KafkaTopicPartitionOffset.beginning) }),
            logger: logger
        )
        do {
            try await read(topics, from: consumer, until: ends, reassembling: skipChunked ? { _ in false } : reassembling ?? { _ in true }, handler: handler)
        } catch {
            await consumer.close()
            throw error
        }
        await consumer.close()
        return ends.map { KafkaTopicPartitionOffset(topic: $0.key.topic, partition: $0.key.partition, offset: $0.value + 1) }
            .sorted { ($0.topic, $0.partition) < ($1.topic, $1.partition) }
    }

    /// One marker per partition, all sent at once; returns each marker's offset.
    private func writeMarkers(on topics: [Topic]) async throws -> [Partition: Int64] {
        let admin = KafkaAdmin(configuration: configuration.kafka, logger: logger)
        let markerID = UUID().uuidString.lowercased()
        return try await withThrowingTaskGroup(of: [Partition: Int64].self) { group in
            for topic in topics {
                let name = configuration.topic(topic)
                group.addTask {
                    let count = try await admin.partitionCount(of: name)
                    return try await withThrowingTaskGroup(of: (Partition, Int64).self) { sends in
                        for partition in 0..<Int32(count) {
                            sends.addTask {
                                (Partition(topic: name, partition: partition), try await producer.send(StreamMarker.record(topic: name, partition: partition, id: markerID)).offset)
                            }
                        }
                        return try await sends.reduce(into: [:]) { $0[$1.0] = $1.1 }
                    }
                }
            }
            return try await group.reduce(into: [:]) { $0.merge($1) { first, _ in first } }
        }
    }

    private func read(
        _ topics: [Topic], from consumer: KafkaConsumer, until ends: [Partition: Int64], reassembling: (EventEnvelope) -> Bool,
        handler: (ConsumedEvent) async throws -> Void
    ) async throws {
        var remaining = Set(ends.keys)
        var assembler = ChunkAssembler(models: .decode)  // models held once, as values
        var count = 0
        for try await message in consumer.messages {
            let partition = Partition(topic: message.topic, partition: message.partition)
            guard let end = ends[partition], remaining.contains(partition) else { continue }
            if message.offset >= end {
                remaining.remove(partition)
                if remaining.isEmpty { break }
                continue
            }
            guard message.streamMarkerID == nil, var event = try? ConsumedEvent(message: message, topicPrefix: configuration.topicPrefix) else { continue }
            if event.envelope.chunk != nil {
                guard reassembling(event.envelope) else { continue }
                guard let whole = try? assembler.add(event.envelope) else { continue }
                event.assembled(whole)
            }
            count += 1
            try await handler(event)
        }
        // The sequence ends early only when the consumer closes or the task is cancelled.
        guard remaining.isEmpty else { throw CancellationError() }
        if assembler.hasUnfinished { unfinished.keep(assembler) }
        logger.debug("replayed", metadata: ["topics": "\(topics.map(\.rawValue))", "events": "\(count)"])
    }
}

/// The pieces a replay read of transfers it could not finish (their last pieces lie past the
/// replay's end), kept as the replay's assembler holds them. Without them, the live consumer
/// would start in the middle of a transfer and refuse it as missing a piece.
public final class UnfinishedTransfers: Sendable {
    private let assembler = Mutex<ChunkAssembler?>(nil)

    public init() {}

    func keep(_ more: ChunkAssembler) {
        assembler.withLock { kept in
            if kept == nil {
                kept = more
            } else {
                kept?.absorb(more)
            }
        }
    }

    /// What was kept, once.
    public func take() -> ChunkAssembler? {
        assembler.withLock { kept in
            defer { kept = nil }
            return kept
        }
    }
}
