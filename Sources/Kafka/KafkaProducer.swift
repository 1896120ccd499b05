import Logging

/// An idempotent producer (`enable.idempotence=true`, `acks=all`, `linger.ms` ~5) whose
/// ``send(_:)`` returns only once the broker has acknowledged the record.
///
/// Delivery reports are served on a dedicated serial queue, never on the cooperative pool.
/// Call ``shutdown()`` (or run it in a `ServiceGroup`, listed before the services that use it)
/// to flush and close; dropping the last reference also starts a shutdown.
public final class KafkaProducer: Sendable {
    let core: KafkaProducerCore
    private let queueFullTimeout: Duration

    public init(configuration: KafkaConfiguration, logger: Logger) throws {
        var logger = logger
        logger[metadataKey: "kafka.client"] = "\(configuration.clientID)"
        self.core = try KafkaProducerCore(configuration: configuration, logger: logger)
        self.queueFullTimeout = .milliseconds(configuration.messageTimeoutMilliseconds)
        core.startPolling()
    }

    deinit {
        core.beginShutdown()
    }

    /// Sends `record` and returns where the broker stored it, after its acknowledgement.
    ///
    /// While librdkafka's local queue is full it waits and retries for up to
    /// `messageTimeoutMilliseconds`. Cancellation does not withdraw a record already handed
    /// to librdkafka; the call still waits for its delivery report.
    /// - Throws: ``KafkaError`` (e.g. `messageTimedOut`, `messageTooLarge`, `closed`).
    @discardableResult
    public func send(_ record: KafkaRecord) async throws -> (partition: Int32, offset: Int64) {
        let clock = ContinuousClock()
        let deadline = clock.now + queueFullTimeout
        var backoff = Duration.milliseconds(1)
        while true {
            do {
                return try await core.produce(record)
            } catch let error as KafkaError where error.code == .queueFull && clock.now < deadline {
                core.logger.debug("Kafka producer queue full; retrying", metadata: ["kafka.topic": "\(record.topic)"])
                try await Task.sleep(for: backoff)
                backoff = min(backoff * 2, .milliseconds(50))
            }
        }
    }

    /// Stops accepting records, waits (off the pool) for outstanding deliveries up to
    /// `shutdownFlushTimeoutMilliseconds`, fails what is left, and destroys the handle.
    /// Safe to call more than once and concurrently; every call returns after the close.
    public func shutdown() async {
        core.beginShutdown()
        await core.waitUntilFinished()
    }
}
