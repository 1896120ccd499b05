import CRdKafka
import Dispatch
import Logging
import Synchronization

/// The consumer's handle and the serial queue on which every blocking call runs:
/// assignment metadata, `rd_kafka_consumer_poll` in 100 ms steps, commits and the close.
///
/// Each `next()` enqueues a poll step that re-enqueues itself until a message arrives, the
/// task is cancelled or the consumer closes, so commits and the close interleave with polls.
/// Only the queue destroys the handle; calls from other threads use `withLiveHandle`.
final class KafkaConsumerCore: Sendable {
    private enum Phase {
        case open
        case failed(KafkaError)
        case closing
        case closed
    }

    private struct State {
        var phase = Phase.open
        var closeWaiters: [CheckedContinuation<Void, Never>] = []
    }

    let client: RDKafkaClient
    let logger: Logger
    private let queue: DispatchQueue
    private let state = Mutex(State())
    static let pollTimeoutMilliseconds: Int32 = 100
    static let topicWaitTimeout = Duration.seconds(10)

    init(configuration: KafkaConfiguration, groupID: String, logger: Logger) throws {
        self.client = try RDKafkaClient(
            kind: .consumer,
            properties: configuration.consumerProperties(groupID: groupID),
            logger: logger
        )
        self.logger = logger
        self.queue = DispatchQueue(label: "flotilla.kafka.consumer.\(groupID)")
        // Serve the main queue (errors, logs, rebalances) from rd_kafka_consumer_poll.
        let error = rd_kafka_poll_set_consumer(client.handle)
        if error != RD_KAFKA_RESP_ERR_NO_ERROR {
            client.destroy()
            throw KafkaError(error, "rd_kafka_poll_set_consumer: \(String(cString: rd_kafka_err2str(error)))")
        }
    }

    /// Applies the subscription on the queue; a failure is thrown by the next `next()`.
    func start(_ subscription: KafkaSubscription) {
        queue.async {
            guard self.isOpen else { return }
            do {
                try self.apply(subscription)
            } catch {
                let kafkaError = error as? KafkaError ?? KafkaError(code: .invalidArgument, message: "\(error)")
                self.logger.error("Kafka consumer subscription failed: \(kafkaError)")
                self.fail(kafkaError)
            }
        }
    }

    private var isOpen: Bool {
        state.withLock { if case .open = $0.phase { true } else { false } }
    }

    private func fail(_ error: KafkaError) {
        state.withLock { state in
            if case .open = state.phase { state.phase = .failed(error) }
        }
    }

    private func apply(_ subscription: KafkaSubscription) throws {
        let handle = client.handle
        switch subscription {
        case .assignAll(let topics, let start):
            var entries: [KafkaTopicPartitionOffset] = []
            for topic in topics {
                let partitions = try client.partitions(of: topic, waitForTopic: Self.topicWaitTimeout)
                entries += partitions.map { KafkaTopicPartitionOffset(topic: topic, partition: $0, offset: start.logicalOffset) }
            }
            try assign(entries, on: handle)
        case .assign(let entries):
            try assign(entries, on: handle)
        case .subscribe(let topics):
            let entries = topics.map { KafkaTopicPartitionOffset(topic: $0, partition: RD_KAFKA_PARTITION_UA, offset: 0) }
            let error = try RDKafkaTopicPartitionList.with(entries) { rd_kafka_subscribe(handle, $0) }
            guard error == RD_KAFKA_RESP_ERR_NO_ERROR else {
                throw KafkaError(error, "subscribe \(topics): \(String(cString: rd_kafka_err2str(error)))")
            }
            logger.info("Kafka consumer subscribed", metadata: ["kafka.topics": "\(topics)"])
        }
    }

    private func assign(_ entries: [KafkaTopicPartitionOffset], on handle: OpaquePointer) throws {
        let error = try RDKafkaTopicPartitionList.with(entries) { rd_kafka_assign(handle, $0) }
        guard error == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(error, "assign: \(String(cString: rd_kafka_err2str(error)))")
        }
        logger.info(
            "Kafka consumer assigned",
            metadata: ["kafka.partitions": "\(entries.map { "\($0.topic)[\($0.partition)]@\($0.offset)" })"]
        )
    }

    // MARK: Messages

    /// Whether `close()` has begun: buffered messages are then dropped (they were not stored,
    /// so they are redelivered to the next consumer of the group).
    var isClosing: Bool {
        state.withLock {
            switch $0.phase {
            case .closing, .closed: true
            case .open, .failed: false
            }
        }
    }

    /// The next messages (at least one, at most ``maxBatchCount`` or about ``maxBatchBytes``),
    /// empty once closed or when the calling task is cancelled.
    func nextBatch() async throws -> [KafkaConsumerMessage] {
        let request = PollRequest()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                queue.async { self.pollStep(request, continuation) }
            }
        } onCancel: {
            request.cancel()
        }
    }

    static let maxBatchCount = 256
    static let maxBatchBytes = 1 << 20

    private func pollStep(_ request: PollRequest, _ continuation: CheckedContinuation<[KafkaConsumerMessage], any Error>) {
        switch state.withLock({ $0.phase }) {
        case .failed(let error):
            return continuation.resume(throwing: error)
        case .closing, .closed:
            return continuation.resume(returning: [])
        case .open:
            break
        }
        guard !request.isCancelled else {
            return continuation.resume(returning: [])
        }
        do {
            let batch = try poll(timeoutMilliseconds: Self.pollTimeoutMilliseconds)
            guard batch.isEmpty else {
                return continuation.resume(returning: batch)
            }
        } catch {
            return continuation.resume(throwing: error)
        }
        queue.async { self.pollStep(request, continuation) }
    }

    /// Waits up to `timeoutMilliseconds` for one message, then takes what is already buffered
    /// without waiting. A permanent error fails the consumer: it is thrown now if nothing was
    /// read, otherwise by the next call.
    private func poll(timeoutMilliseconds: Int32) throws -> [KafkaConsumerMessage] {
        var batch: [KafkaConsumerMessage] = []
        var bytes = 0
        var timeout = timeoutMilliseconds
        while batch.count < Self.maxBatchCount, bytes < Self.maxBatchBytes {
            guard let message = rd_kafka_consumer_poll(client.handle, timeout) else {
                if batch.isEmpty, let error = client.fatalError() {
                    fail(error)
                    throw error
                }
                break
            }
            defer { rd_kafka_message_destroy(message) }
            if message.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR {
                let copy = KafkaConsumerMessage(copying: message)
                bytes += copy.value.count + (copy.key?.count ?? 0)
                batch.append(copy)
                timeout = 0
            } else if let error = permanentError(in: message) {
                fail(error)
                if batch.isEmpty { throw error }
                break
            }
        }
        return batch
    }

    /// Logs an error event; returns it only if the consumer cannot go on.
    private func permanentError(in message: UnsafeMutablePointer<rd_kafka_message_t>) -> KafkaError? {
        let code = message.pointee.err
        // A consumer error event carries its text as the payload (length-delimited).
        let text =
            message.pointee.payload.map {
                String(decoding: UnsafeRawBufferPointer(start: $0, count: message.pointee.len), as: UTF8.self)
            } ?? String(cString: rd_kafka_err2str(code))
        let topic = message.pointee.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? ""
        let metadata: Logger.Metadata = [
            "kafka.topic": "\(topic)", "kafka.partition": "\(message.pointee.partition)",
            "kafka.error": "\(KafkaError.Code(code).name)",
        ]
        switch code {
        case RD_KAFKA_RESP_ERR__PARTITION_EOF:
            logger.debug("Kafka partition end reached", metadata: metadata)
            return nil
        case RD_KAFKA_RESP_ERR__FATAL:
            return client.fatalError() ?? KafkaError(code, text)
        case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED, RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED,
            RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED:
            logger.error("Kafka consumer error: \(text)", metadata: metadata)
            return KafkaError(code, text)
        default:
            logger.warning("Kafka consumer error: \(text)", metadata: metadata)
            return nil
        }
    }

    // MARK: Offsets

    func storeOffset(topic: String, partition: Int32, nextOffset: Int64) throws {
        try client.withLiveHandle("consumer") { handle in
            let entry = KafkaTopicPartitionOffset(topic: topic, partition: partition, offset: nextOffset)
            try RDKafkaTopicPartitionList.with([entry]) { list in
                let error = rd_kafka_offsets_store(handle, list)
                if let partitionError = RDKafkaTopicPartitionList.firstError(in: list) { throw partitionError }
                guard error == RD_KAFKA_RESP_ERR_NO_ERROR else {
                    throw KafkaError(error, "store offset \(topic)[\(partition)]@\(nextOffset): \(String(cString: rd_kafka_err2str(error)))")
                }
            }
        }
    }

    /// Synchronously commits the stored offsets (on the queue; nothing stored is success).
    func commit() async throws {
        try await queue.runBlocking {
            guard self.client.isAlive else { throw KafkaError.closed("consumer") }
            let error = rd_kafka_commit(self.client.handle, nil, 0)
            guard error == RD_KAFKA_RESP_ERR_NO_ERROR || error == RD_KAFKA_RESP_ERR__NO_OFFSET else {
                throw KafkaError(error, "commit: \(String(cString: rd_kafka_err2str(error)))")
            }
        }
    }

    // MARK: Close

    func beginClose() {
        let started = state.withLock { state in
            switch state.phase {
            case .open, .failed:
                state.phase = .closing
                return true
            case .closing, .closed:
                return false
            }
        }
        guard started else { return }
        logger.debug("Kafka consumer closing")
        queue.async { self.finishClose() }
    }

    func waitUntilClosed() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let closed = state.withLock { state in
                if case .closed = state.phase { return true }
                state.closeWaiters.append(continuation)
                return false
            }
            if closed { continuation.resume() }
        }
    }

    /// How long a close may take to leave the group and commit stored offsets.
    static let closeTimeout: Duration = .seconds(10)

    /// Leaves the group, commits stored offsets (auto-commit), then destroys the handle.
    ///
    /// Bounded: `rd_kafka_consumer_close` waits for ever when the broker went away, so the
    /// close runs through a queue this loop serves until librdkafka reports it closed, or
    /// `closeTimeout` passed. Offsets it could not commit are read again later (at-least-once).
    private func finishClose() {
        let handle = client.handle
        let queue = rd_kafka_queue_new(handle)
        if let error = rd_kafka_consumer_close_queue(handle, queue) {
            logger.warning("Kafka consumer close: \(String(cString: rd_kafka_error_string(error)))")
            rd_kafka_error_destroy(error)
        }
        let deadline = ContinuousClock.now + Self.closeTimeout
        while rd_kafka_consumer_closed(handle) == 0, ContinuousClock.now < deadline {
            if let event = rd_kafka_queue_poll(queue, 100) { rd_kafka_event_destroy(event) }
        }
        let closed = rd_kafka_consumer_closed(handle) != 0
        rd_kafka_queue_destroy(queue)
        if !closed {
            logger.warning("Kafka consumer close did not finish within \(Self.closeTimeout) (broker unreachable); stored offsets not committed will be read again")
        }
        client.destroy(skippingConsumerClose: !closed)
        let waiters = state.withLock { state in
            state.phase = .closed
            defer { state.closeWaiters.removeAll() }
            return state.closeWaiters
        }
        logger.debug("Kafka consumer closed")
        for waiter in waiters {
            waiter.resume()
        }
    }
}

/// One `next()` call's cancellation flag, set by the task's cancellation handler.
private final class PollRequest: Sendable {
    private let cancelled = Atomic(false)

    var isCancelled: Bool { cancelled.load(ordering: .acquiring) }

    func cancel() {
        cancelled.store(true, ordering: .releasing)
    }
}
