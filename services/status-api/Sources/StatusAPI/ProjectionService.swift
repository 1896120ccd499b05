import Logging
import PostgresNIO
import ServiceLifecycle
import Shared

/// Keeps the PostgreSQL projection up to date. It resumes from the offsets stored in
/// PostgreSQL (not Kafka's group offsets), because those are committed in the same
/// transaction as the rows they produced.
struct ProjectionService: Service {
    static let topics: [Topic] = [.jobs, .clusters, .placements, .rounds, .updates, .blobs, .deadLetter]

    let configuration: HubConfiguration
    let client: PostgresClient
    let publisher: EventPublisher
    let readiness: Readiness
    let health: ProjectionHealth
    let catchUp: ConsumerCatchUp
    let logger: Logger

    func run() async throws {
        try await Schema.migrate(client, logger: logger)
        readiness.markReady()
        let projector = Projector(client: client, logger: logger)
        let stored = try await projector.storedOffsets()
        let source = EventSource(service: "status-api", configuration: configuration, publisher: publisher, logger: logger)
        try await source.consume(
            Self.topics, from: .offsets(stored),
            // Pieces of a large model are checked like everywhere else, but only the header is kept
            // (the projection reads its metadata). A piece that does not yet complete its transfer
            // moves no offset here, so a restart reads the transfer again.
            // Every attempt is timed, so `/readyz` can tell when one message holds the projection up.
            hooks: .init(
                deadLetterTopicMessage: { message in try await health.attempt(message) { try await projector.recordDeadLetter(message) } },
                afterDeadLettering: { try await projector.skip($0) },
                models: .keepHeader,
                streamMarker: { await catchUp.passed($0) }  // how /readyz tells whether the projection keeps up
            )
        ) { event in
            try await health.attempt(event.message) { try await projector.apply(event) }
        }
    }
}
