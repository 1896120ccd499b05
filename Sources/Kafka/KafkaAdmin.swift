import CRdKafka
import Dispatch
import Logging

/// Topic administration and metadata. Each call uses a short-lived client on a dedicated
/// queue (off the cooperative pool) and destroys it before returning, so there is nothing
/// to shut down.
public struct KafkaAdmin: Sendable {
    private let configuration: KafkaConfiguration
    private let logger: Logger
    private let queue: DispatchQueue
    /// How long ``createTopics(_:)`` waits for the broker and then for metadata to show a topic.
    public var timeout: Duration = .seconds(15)

    public init(configuration: KafkaConfiguration, logger: Logger) {
        self.configuration = configuration
        var logger = logger
        logger[metadataKey: "kafka.client"] = "\(configuration.clientID)"
        self.logger = logger
        self.queue = DispatchQueue(label: "flotilla.kafka.admin.\(configuration.clientID)")
    }

    /// Creates the topics; a topic that already exists counts as created. Returns once
    /// metadata shows every topic with partitions.
    /// - Throws: ``KafkaError`` for any other per-topic failure or a timeout.
    public func createTopics(_ topics: [KafkaTopicSpecification]) async throws {
        guard !topics.isEmpty else { return }
        let (configuration, logger, timeout) = (self.configuration, self.logger, self.timeout)
        try await queue.runBlocking {
            let client = try RDKafkaClient(kind: .producer, properties: configuration.adminProperties, logger: logger)
            defer { client.destroy() }
            try RDKafkaCreateTopics.run(topics, on: client.handle, timeout: timeout, logger: logger)
            for topic in topics {
                let partitions = try client.partitions(of: topic.name, waitForTopic: timeout)
                if partitions.count != topic.partitions {
                    logger.warning(
                        "Kafka topic exists with a different partition count",
                        metadata: [
                            "kafka.topic": "\(topic.name)", "kafka.partitions": "\(partitions.count)",
                            "kafka.requested_partitions": "\(topic.partitions)",
                        ]
                    )
                }
            }
        }
    }

    /// The number of partitions of an existing topic.
    /// - Throws: ``KafkaError`` `unknownTopicOrPartition` if the topic does not exist.
    public func partitionCount(of topic: String) async throws -> Int {
        let (configuration, logger) = (self.configuration, self.logger)
        return try await queue.runBlocking {
            let client = try RDKafkaClient(kind: .producer, properties: configuration.adminProperties, logger: logger)
            defer { client.destroy() }
            // Unknown topics fail at once; an unreachable broker is retried briefly.
            do {
                return try client.partitions(of: topic, waitForTopic: .zero).count
            } catch let error as KafkaError where error.code != .unknownTopicOrPartition && error.isRetriable {
                return try client.partitions(of: topic, waitForTopic: .seconds(5)).count
            }
        }
    }

    /// The id of the Kafka cluster behind the bootstrap servers: a real cluster keeps it for
    /// its lifetime, so another id means another log. Nil when the broker is unreachable.
    public func clusterID() async throws -> String? {
        let (configuration, logger) = (self.configuration, self.logger)
        return try await queue.runBlocking {
            let client = try RDKafkaClient(kind: .producer, properties: configuration.adminProperties, logger: logger)
            defer { client.destroy() }
            return client.clusterID()
        }
    }
}
