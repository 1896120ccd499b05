import Logging
import ServiceLifecycle

/// Runs a handler over every message of a consumer, at least once and in order per partition:
/// - a message that is not a valid event, or that the handler rejects permanently, goes to
///   the dead-letter topic with the reason, and processing continues;
/// - any other error is a passing fault: the same message is retried with backoff, so
///   nothing is skipped;
/// - the offset is stored only after the handler (or the dead-lettering) succeeded.
public struct EventProcessor: Service {
    public typealias Handler = @Sendable (ConsumedEvent) async throws -> Void

    let consumer: KafkaConsumer
    let publisher: EventPublisher
    let service: String
    let logger: Logger
    let handler: Handler
    let hooks: Hooks

    /// Optional steps for consumers that keep their own offsets (the status API stores them in
    /// PostgreSQL) or read the dead-letter topic itself (never re-dead-lettered).
    public struct Hooks: Sendable {
        public var deadLetterTopicMessage: (@Sendable (KafkaConsumerMessage) async throws -> Void)?
        public var afterDeadLettering: (@Sendable (KafkaConsumerMessage) async throws -> Void)?
        public init(
            deadLetterTopicMessage: (@Sendable (KafkaConsumerMessage) async throws -> Void)? = nil,
            afterDeadLettering: (@Sendable (KafkaConsumerMessage) async throws -> Void)? = nil
        ) {
            self.deadLetterTopicMessage = deadLetterTopicMessage
            self.afterDeadLettering = afterDeadLettering
        }
    }

    public init(consumer: KafkaConsumer, publisher: EventPublisher, service: String, logger: Logger, hooks: Hooks = Hooks(), handler: @escaping Handler) {
        self.consumer = consumer
        self.publisher = publisher
        self.service = service
        self.logger = logger
        self.hooks = hooks
        self.handler = handler
    }

    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                for try await message in consumer.messages {
                    try await process(message)
                }
            }
        } catch where Task.isShuttingDownGracefully && (error is CancellationError || (error as? KafkaError)?.code == .closed) {
            // Shutdown interrupted a message mid-way: it was not stored, so it is redelivered later.
            logger.debug("stopped while handling a message; it will be redelivered")
        }
    }

    func process(_ message: KafkaConsumerMessage) async throws {
        var backoff: Duration = .milliseconds(100)
        while true {
            do {
                try await handle(message)
                try consumer.storeOffset(for: message)
                return
            } catch let error as PermanentEventError {
                try await deadLetter(message, reason: error.reason)
                return
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                logger.error("handler failed, will retry", metadata: ["topic": "\(message.topic)", "offset": "\(message.offset)", "error": "\(error)"])
                try await Task.sleep(for: backoff)
                backoff = min(backoff * 2, .seconds(5))
            }
        }
    }

    private func handle(_ message: KafkaConsumerMessage) async throws {
        if message.topic == Topic.deadLetter.name(prefix: publisher.topicPrefix) {
            try await hooks.deadLetterTopicMessage?(message)
            return
        }
        let envelope: EventEnvelope
        do {
            envelope = try EventEnvelope(message: message)
        } catch {
            throw PermanentEventError(error.reason)
        }
        guard let topic = Topic.allCases.first(where: { $0.name(prefix: publisher.topicPrefix) == message.topic }) else {
            throw PermanentEventError("topic \(message.topic) is not a Flotilla topic")
        }
        guard envelope.type.topic == topic else {
            throw PermanentEventError("event type \(envelope.type.rawValue) does not belong on \(message.topic)")
        }
        do {
            try await handler(ConsumedEvent(envelope: envelope, message: message, topic: topic))
        } catch let error as EventDecodingError {
            throw PermanentEventError(error.reason)
        }
    }

    private func deadLetter(_ message: KafkaConsumerMessage, reason: String) async throws {
        logger.warning("dead-lettering message", metadata: ["topic": "\(message.topic)", "partition": "\(message.partition)", "offset": "\(message.offset)", "reason": "\(reason)"])
        try await publisher.deadLetter(message, reason: reason, service: service)
        try await hooks.afterDeadLettering?(message)
        try consumer.storeOffset(for: message)
    }
}
