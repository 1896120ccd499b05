import Logging

extension EventProcessor {
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
