import Logging

extension EventProcessor {
    /// What every hub service does: make sure the topics exist, read `topics` from the group's
    /// committed offsets (or the beginning), and handle every event until shutdown.
    public static func consume(
        _ topics: [Topic], as service: String, configuration: HubConfiguration, publisher: EventPublisher,
        logger: Logger, hooks: Hooks = Hooks(), handler: @escaping Handler
    ) async throws {
        try await TopicBootstrap.ensureTopics(admin: KafkaAdmin(configuration: configuration.kafka, logger: logger), prefix: configuration.topicPrefix)
        let consumer = try KafkaConsumer(
            configuration: configuration.kafka, groupID: "flotilla-\(service)",
            subscription: .assignAll(topics: topics.map(configuration.topic), start: .stored), logger: logger
        )
        try await EventProcessor(consumer: consumer, publisher: publisher, service: service, logger: logger, hooks: hooks, handler: handler).runThenClose()
    }

    /// Runs until shutdown, then closes the consumer (also when the run fails).
    public func runThenClose() async throws {
        do {
            try await run()
        } catch {
            await consumer.close()
            throw error
        }
        await consumer.close()
    }
}

extension EventPublisher {
    /// A producer (to list in the ServiceGroup before the services that use it) and a publisher on it.
    public static func make(configuration: HubConfiguration, source: String, logger: Logger) throws -> (KafkaProducer, EventPublisher) {
        let producer = try KafkaProducer(configuration: configuration.kafka, logger: logger)
        return (producer, EventPublisher(producer: producer, topicPrefix: configuration.topicPrefix, source: source, chunkBytes: configuration.modelChunkBytes))
    }
}
