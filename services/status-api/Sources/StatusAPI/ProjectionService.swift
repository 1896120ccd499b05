import Logging
import PostgresNIO
import ServiceLifecycle
import Shared

/// Keeps the PostgreSQL projection up to date. It resumes from the offsets stored in
/// PostgreSQL (not Kafka's group offsets), because those are committed in the same
/// transaction as the rows they produced.
struct ProjectionService: Service {
    static let topics: [Topic] = [.jobs, .clusters, .placements, .rounds, .updates, .deadLetter]

    let configuration: HubConfiguration
    let client: PostgresClient
    let publisher: EventPublisher
    let readiness: Readiness
    let health: ProjectionHealth
    let logger: Logger

    func run() async throws {
        try await Schema.migrate(client, logger: logger)
        readiness.markReady()
        let projector = Projector(client: client, logger: logger)
        let admin = KafkaAdmin(configuration: configuration.kafka, logger: logger)
        try await TopicBootstrap.ensureTopics(admin: admin, prefix: configuration.topicPrefix)
        let stored = try await projector.storedOffsets()
        var assignments: [KafkaTopicPartitionOffset] = []
        for topic in Self.topics {
            let name = configuration.topic(topic)
            for partition in 0..<Int32(try await admin.partitionCount(of: name)) {
                assignments.append(KafkaTopicPartitionOffset(topic: name, partition: partition, offset: stored[name]?[partition] ?? 0))
            }
        }
        let consumer = try KafkaConsumer(configuration: configuration.kafka, groupID: "flotilla-status-api", subscription: .assign(assignments), logger: logger)
        let processor = EventProcessor(
            consumer: consumer, publisher: publisher, service: "status-api", logger: logger,
            // Pieces of a large model are checked like everywhere else, but only the header is kept
            // (the projection reads its metadata). A piece that does not yet complete its transfer
            // moves no offset here, so a restart reads the transfer again.
            // Every attempt is timed, so `/readyz` can tell when one message holds the projection up.
            hooks: .init(
                deadLetterTopicMessage: { message in try await health.attempt(message) { try await projector.recordDeadLetter(message) } },
                afterDeadLettering: { try await projector.skip($0) },
                models: .keepHeader
            )
        ) { event in
            try await health.attempt(event.message) { try await projector.apply(event) }
        }
        try await processor.runThenClose()
    }
}
