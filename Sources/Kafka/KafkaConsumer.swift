import Logging

/// A consumer whose ``messages`` are read at least once: the service calls
/// ``storeOffset(for:)`` after handling a message, and stored offsets are committed every
/// `autoCommitIntervalMilliseconds`, by ``commit()``, and on ``close()``.
///
/// Configured with `enable.auto.offset.store=false`, `enable.auto.commit=true` and
/// `auto.offset.reset=earliest`. All blocking librdkafka calls run on the consumer's own
/// serial queue, never on the cooperative pool. Call ``close()`` (or run it in a
/// `ServiceGroup`); dropping the last reference to the consumer and its sequence also closes it.
public final class KafkaConsumer: Sendable {
    let core: KafkaConsumerCore
    public let groupID: String

    public init(configuration: KafkaConfiguration, groupID: String, subscription: KafkaSubscription, logger: Logger) throws {
        var logger = logger
        logger[metadataKey: "kafka.client"] = "\(configuration.clientID)"
        logger[metadataKey: "kafka.group"] = "\(groupID)"
        self.groupID = groupID
        self.core = try KafkaConsumerCore(configuration: configuration, groupID: groupID, logger: logger)
        core.start(subscription)
    }

    deinit {
        core.beginClose()
    }

    /// The consumed messages. Iteration ends (returns nil) when the consumer closes or the
    /// iterating task is cancelled, and throws ``KafkaError`` on a fatal or permanent error
    /// (including a failed subscription). Partition EOF and transient errors are only logged.
    public var messages: KafkaMessageSequence {
        KafkaMessageSequence(consumer: self)
    }

    /// Marks `message` handled: stores `offset + 1` for its partition, to be committed.
    /// Call it only after the handler's side effects are durable.
    public func storeOffset(for message: KafkaConsumerMessage) throws {
        try core.storeOffset(topic: message.topic, partition: message.partition, nextOffset: message.offset + 1)
    }

    /// Commits the stored offsets now and waits for the broker's answer.
    public func commit() async throws {
        try await core.commit()
    }

    /// Ends iteration, leaves the group, commits stored offsets and destroys the handle.
    /// Safe to call more than once and concurrently; every call returns after the close.
    public func close() async {
        core.beginClose()
        await core.waitUntilClosed()
    }
}
