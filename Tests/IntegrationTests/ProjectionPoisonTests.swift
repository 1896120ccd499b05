import Foundation
import Logging
import Testing
@testable import Shared

/// Events put on the topics directly, bypassing the front door: whatever the projection cannot
/// store is dead-lettered with the reason and the projection carries on with the next event.
@Suite(.timeLimit(.minutes(2)))
struct ProjectionPoisonTests {
    @Test func invalidJobsAreDeadLetteredAndLaterJobsBecomeVisible() async throws {
        let stack = try await TestStack.make(clusters: 1, label: "poison")
        try await stack.running([try stack.statusAPI()]) {
            _ = try await stack.waitFor("readyz", as: [String: String].self) { _ in true }
            var nul = try JobDocument.parse(TestStack.jobDocument(name: "nul-image", rounds: 1, minimum: 1))
            nul.spec.client.image = "registry.example/fl\u{0}client"
            var huge = try JobDocument.parse(TestStack.jobDocument(name: "huge-rounds", rounds: 1, minimum: 1))
            huge.spec.server.rounds = 1_000_000_000_000
            let normal = try JobDocument.parse(TestStack.jobDocument(name: "after-poison", rounds: 1, minimum: 1))
            // One partition, so the normal job can only be applied after the two bad ones.
            try await Self.publish([JobSubmitted(job: nul), JobSubmitted(job: huge), JobSubmitted(job: normal)], stack: stack)

            _ = try await stack.waitFor("v1/jobs/after-poison", as: JobView.self) { $0.phase == "Waiting" }
            let letters = try await stack.waitFor("v1/dead-letters", as: DeadLetters.self) { $0.items.count >= 2 }.items
            #expect(letters.count == 2)
            #expect(letters.allSatisfy { $0.service == "status-api" && $0.originalTopic == stack.hub.topic(.jobs) && !$0.reason.isEmpty })
            #expect(letters.contains { $0.reason.contains("huge-rounds") && $0.reason.contains("spec.server.rounds") })
            #expect(try await stack.get("v1/jobs/nul-image").0 == 404)
            #expect(try await stack.get("v1/jobs/huge-rounds").0 == 404)
        }
    }

    /// Events no validation looks at: PostgreSQL's own refusal (a NUL in text, 22021; a round
    /// beyond `integer`, 22003) is what dead-letters them.
    @Test func valuesPostgreSQLRefusesAreDeadLetteredNotRetried() async throws {
        let stack = try await TestStack.make(clusters: 1, label: "refused")
        try await stack.running([try stack.statusAPI()]) {
            _ = try await stack.waitFor("readyz", as: [String: String].self) { _ in true }
            let job = try JobDocument.parse(TestStack.jobDocument(name: "refused-job", rounds: 1, minimum: 1))
            try await Self.publish([JobSubmitted(job: job)], stack: stack)
            _ = try await stack.waitFor("v1/jobs/refused-job", as: JobView.self) { _ in true }

            try await Self.publish([
                RoundParticipationFailed(jobID: "refused-job", round: 1_000_000_000_000, cluster: "c1", reason: "too far"),
                ClusterDeregistered(cluster: "c1", reason: "gone\u{0}away"),
                ClusterRegistrationRejected(cluster: "after-refused", errors: [FieldError(field: "name", problem: "is a test")]),
            ], stack: stack)
            _ = try await stack.waitFor("v1/clusters/after-refused", as: [String: AnyDecodable].self) { _ in true }
            let letters = try await stack.waitFor("v1/dead-letters", as: DeadLetters.self) { $0.items.count >= 2 }.items
            #expect(letters.count == 2)
            #expect(letters.contains { $0.reason.contains("SQLSTATE 22003") })
            #expect(letters.contains { $0.reason.contains("SQLSTATE 22021") })
        }
    }

    /// Publishes each payload to partition 0 of its topic, in order, straight to the broker.
    static func publish(_ payloads: [any EventPayload], stack: TestStack) async throws {
        let producer = try KafkaProducer(configuration: stack.hub.kafka, logger: stack.logger)
        do {
            for payload in payloads {
                var record = payload.envelope(source: "test/poison").record(prefix: stack.hub.topicPrefix)
                record.partition = 0
                _ = try await producer.send(record)
            }
        } catch {
            await producer.shutdown()
            throw error
        }
        await producer.shutdown()
    }
}

/// Any JSON value, for responses whose content a test does not look into.
struct AnyDecodable: Decodable {
    init(from decoder: any Decoder) throws {}
}
