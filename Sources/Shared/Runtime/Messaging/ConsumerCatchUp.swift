import Foundation
import Logging

/// Lets a service wait until its live consumer has read everything written to some topics
/// before now: it writes a ``StreamMarker`` into each of their partitions and waits until the
/// consumer has handed every one back (through ``EventProcessor/Hooks/streamMarker``).
///
/// A judgment made from what a consumer has read ("no heartbeat for 20 s") is then delayed
/// by a lagging consumer (a backlog, a loaded machine) instead of made wrong by it.
public actor ConsumerCatchUp {
    private struct Partition: Hashable {
        var topic: String
        var partition: Int32
    }

    private struct Waiter {
        var remaining: Set<Partition>
        var continuation: CheckedContinuation<Void, any Error>
    }

    let configuration: HubConfiguration
    let producer: KafkaProducer
    let logger: Logger
    private var waiters: [String: Waiter] = [:]

    public init(configuration: HubConfiguration, producer: KafkaProducer, logger: Logger) {
        self.configuration = configuration
        self.producer = producer
        self.logger = logger
    }

    /// Returns once the consumer has read past everything written to `topics` before this
    /// call; throws `CancellationError` when the calling task is cancelled first. Logs a
    /// warning when that takes longer than `patience` (the consumer lags, or has stopped).
    public func wait(for topics: [Topic], patience: Duration) async throws {
        let id = UUID().uuidString.lowercased()
        let admin = KafkaAdmin(configuration: configuration.kafka, logger: logger)
        var partitions: [Partition] = []
        for topic in topics {
            let name = configuration.topic(topic)
            for partition in 0..<Int32(try await admin.partitionCount(of: name)) {
                partitions.append(Partition(topic: name, partition: partition))
            }
        }
        let started = ContinuousClock.now
        let warning = Task { [logger] in
            try await Task.sleep(for: patience)
            logger.warning("the consumer lags: still reading what was written before \(patience) ago", metadata: ["topics": "\(topics.map(\.rawValue))"])
        }
        defer { warning.cancel() }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                // Registered before any marker is sent, so none can pass unseen.
                waiters[id] = Waiter(remaining: Set(partitions), continuation: continuation)
                Task { await self.send(id: id, to: partitions) }
            }
        } onCancel: {
            Task { await self.finish(id, with: .failure(CancellationError())) }
        }
        logger.debug("consumer caught up", metadata: ["topics": "\(topics.map(\.rawValue))", "took": "\(ContinuousClock.now - started)"])
    }

    /// The consumer's hook: a marker came back.
    public func passed(_ message: KafkaConsumerMessage) {
        guard let id = message.streamMarkerID, var waiter = waiters[id] else { return }  // another reader's marker
        waiter.remaining.remove(Partition(topic: message.topic, partition: message.partition))
        waiters[id] = waiter
        if waiter.remaining.isEmpty { finish(id, with: .success(())) }
    }

    private func send(id: String, to partitions: [Partition]) async {
        do {
            for partition in partitions {
                _ = try await producer.send(StreamMarker.record(topic: partition.topic, partition: partition.partition, id: id))
            }
        } catch {
            finish(id, with: .failure(error))
        }
    }

    private func finish(_ id: String, with result: Result<Void, any Error>) {
        waiters.removeValue(forKey: id)?.continuation.resume(with: result)
    }
}
