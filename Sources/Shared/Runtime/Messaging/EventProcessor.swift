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
    /// Transfers begun before this consumer's start (a replay's unfinished ones), to complete.
    var carriedOver: ChunkAssembler?

    /// Optional steps for consumers that keep their own offsets (the status API stores them in
    /// PostgreSQL) or read the dead-letter topic itself (never re-dead-lettered).
    public struct Hooks: Sendable {
        public var deadLetterTopicMessage: (@Sendable (KafkaConsumerMessage) async throws -> Void)?
        public var afterDeadLettering: (@Sendable (KafkaConsumerMessage) async throws -> Void)?
        /// Reassemble chunked events before the handler sees them (off for consumers that only
        /// look at a transfer's first piece).
        public var assembleChunks: Bool
        /// What to keep of a safetensors transfer: its bytes, its model decoded as the pieces
        /// arrive (in ``ConsumedEvent/decodedModel``), or only its header.
        public var models: ChunkAssembler.ModelHandling
        /// A transfer that cannot be completed (a piece missing or corrupt): e.g. publish a rejection.
        public var transferBroken: (@Sendable (ChunkAssembler.Broken) async throws -> Void)?
        /// A ``StreamMarker`` came by (e.g. hand it to a ``ConsumerCatchUp``).
        public var streamMarker: (@Sendable (KafkaConsumerMessage) async -> Void)?
        public init(
            deadLetterTopicMessage: (@Sendable (KafkaConsumerMessage) async throws -> Void)? = nil,
            afterDeadLettering: (@Sendable (KafkaConsumerMessage) async throws -> Void)? = nil,
            assembleChunks: Bool = true,
            models: ChunkAssembler.ModelHandling = .keepBytes,
            transferBroken: (@Sendable (ChunkAssembler.Broken) async throws -> Void)? = nil,
            streamMarker: (@Sendable (KafkaConsumerMessage) async -> Void)? = nil
        ) {
            self.streamMarker = streamMarker
            self.models = models
            self.deadLetterTopicMessage = deadLetterTopicMessage
            self.afterDeadLettering = afterDeadLettering
            self.assembleChunks = assembleChunks
            self.transferBroken = transferBroken
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
                var assembler = carriedOver ?? ChunkAssembler(models: hooks.models)  // owned by this loop alone
                for try await message in consumer.messages {
                    try await process(message, assembler: &assembler)
                }
            }
        } catch where Task.isShuttingDownGracefully && (error is CancellationError || (error as? KafkaError)?.code == .closed) {
            // Shutdown interrupted a message mid-way: it was not stored, so it is redelivered later.
            logger.debug("stopped while handling a message; it will be redelivered")
        }
    }

    func process(_ message: KafkaConsumerMessage, assembler: inout ChunkAssembler) async throws {
        // Reading and reassembling happen once; only the handler is retried.
        let event: ConsumedEvent?
        do {
            event = try await prepare(message, assembler: &assembler)
        } catch let error as PermanentEventError {
            try await deadLetter(message, reason: error.reason)
            return
        }
        var backoff: Duration = .milliseconds(100)
        while true {
            do {
                if let event {
                    try await handle(event)
                } else if isDeadLetterTopic(message) {
                    try await hooks.deadLetterTopicMessage?(message)
                }
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

    private func isDeadLetterTopic(_ message: KafkaConsumerMessage) -> Bool {
        message.topic == Topic.deadLetter.name(prefix: publisher.topicPrefix)
    }

    /// The event in a message, or nil when there is nothing (yet) to hand over: a dead-letter
    /// topic message, a ``StreamMarker``, or a piece of a transfer whose other pieces are still to come.
    private func prepare(_ message: KafkaConsumerMessage, assembler: inout ChunkAssembler) async throws -> ConsumedEvent? {
        if isDeadLetterTopic(message) { return nil }
        if message.streamMarkerID != nil {
            await hooks.streamMarker?(message)
            return nil
        }
        var event = try ConsumedEvent(message: message, topicPrefix: publisher.topicPrefix)
        if event.envelope.chunk != nil && hooks.assembleChunks {
            do {
                guard let whole = try assembler.add(event.envelope) else { return nil }
                event.assembled(whole)
            } catch {
                try await hooks.transferBroken?(error)
                throw PermanentEventError(error.reason)
            }
        }
        return event
    }

    private func handle(_ event: ConsumedEvent) async throws {
        do {
            try await handler(event)
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
