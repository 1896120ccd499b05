import Foundation
import Logging
import PostgresNIO
import Testing
@testable import Shared
@testable import StatusAPI

/// `/readyz` is 200 only while PostgreSQL and the broker answer and the projection keeps up.
@Suite(.timeLimit(.minutes(2)))
struct ReadinessTests {
    /// A lock the test holds keeps the projection from applying a job: past the stall limit
    /// `/readyz` says which message it is stuck on; once the lock is gone it is ready again.
    @Test func readyzReportsAProjectionStuckOnOneMessage() async throws {
        let stack = try await TestStack.make(clusters: 1, label: "stuck")
        try await stack.running([try stack.statusAPI { $0.projectionStallLimit = .seconds(1) }]) {
            _ = try await stack.waitFor("readyz", as: [String: String].self) { _ in true }
            let locker = try await PostgresConnection.connect(configuration: Self.connection(stack.database), id: 1, logger: stack.logger)
            try await locker.query("BEGIN", logger: stack.logger)
            try await locker.query("LOCK TABLE job_transitions IN ACCESS EXCLUSIVE MODE", logger: stack.logger)

            do {
                let job = try JobDocument.parse(TestStack.jobDocument(name: "held-job", rounds: 1, minimum: 1))
                try await ProjectionPoisonTests.publish([JobSubmitted(job: job)], stack: stack)
                let problem = try await Self.waitForStatus(503, of: "readyz", stack: stack)
                #expect(problem.type.hasSuffix("/not-ready"))
                #expect(problem.detail.contains("stuck on \(stack.hub.topic(.jobs))"))
            } catch {
                try? await locker.close()  // or the projection, waiting on the lock, never shuts down
                throw error
            }

            try await locker.query("COMMIT", logger: stack.logger)
            try await locker.close()
            _ = try await stack.waitFor("v1/jobs/held-job", as: JobView.self) { _ in true }
            _ = try await stack.waitFor("readyz", as: [String: String].self) { $0["status"] == "ready" }
        }
    }

    /// With the projection held (a lock the test holds) while events keep arriving, `/readyz`
    /// says how far it is behind the log once that is more than allowed, before any one
    /// message counts as stuck; caught up, it is ready again.
    @Test func readyzReportsAProjectionBehindTheLog() async throws {
        let stack = try await TestStack.make(clusters: 1, label: "behind")
        try await stack.running([try stack.statusAPI { $0.projectionStallLimit = .seconds(600); $0.readyMaxLag = .seconds(1) }]) {
            _ = try await stack.waitFor("readyz", as: [String: String].self) { $0["status"] == "ready" }
            let locker = try await PostgresConnection.connect(configuration: Self.connection(stack.database), id: 1, logger: stack.logger)
            try await locker.query("BEGIN", logger: stack.logger)
            try await locker.query("LOCK TABLE job_transitions IN ACCESS EXCLUSIVE MODE", logger: stack.logger)
            do {
                let jobs = try (1...20).map { JobSubmitted(job: try JobDocument.parse(TestStack.jobDocument(name: "behind-\($0)", rounds: 1, minimum: 1))) }
                try await ProjectionPoisonTests.publish(jobs, stack: stack)
                let problem = try await Self.waitForStatus(503, of: "readyz", stack: stack)
                #expect(problem.detail.contains("s ago (it lags the log by more than 1.0 seconds, FLOTILLA_READY_MAX_LAG_SECONDS)"), "\(problem.detail)")
                #expect(!problem.detail.contains("stuck"), "lagging, not stuck: \(problem.detail)")
            } catch {
                try? await locker.close()
                throw error
            }
            try await locker.query("COMMIT", logger: stack.logger)
            try await locker.close()
            _ = try await stack.waitFor("v1/jobs/behind-20", as: JobView.self) { _ in true }
            _ = try await stack.waitFor("readyz", as: [String: String].self) { $0["status"] == "ready" }
        }
    }

    /// The probe behind `/readyz` asks the broker for metadata: the real broker answers, an
    /// address where nothing listens does not, and the answer comes within the probe's timeout.
    @Test func theBrokerProbeTellsAReachableBrokerFromAnUnreachableOne() async throws {
        let logger = Logger(label: "test.broker-probe")
        var kafka = KafkaConfiguration(bootstrapServers: try TestInfrastructure.kafkaBootstrap(), clientID: "test-probe")
        let topic = TestInfrastructure.uniqueName("probe")
        try await KafkaAdmin(configuration: kafka, logger: logger).createTopics([KafkaTopicSpecification(name: topic, partitions: 1)])
        let reachable = BrokerProbe(admin: KafkaAdmin(configuration: kafka, logger: logger), topic: topic)
        #expect(await reachable.problem() == nil)

        kafka.bootstrapServers = "127.0.0.1:\(try TestInfrastructure.freePort())"
        let unreachable = BrokerProbe(admin: KafkaAdmin(configuration: kafka, logger: logger), topic: topic)
        let problem = await unreachable.problem()
        #expect(problem?.contains("broker") == true)
    }

    static func connection(_ database: DatabaseConfiguration) -> PostgresConnection.Configuration {
        PostgresConnection.Configuration(
            host: database.host, port: database.port, username: database.username, password: database.password, database: database.database, tls: .disable
        )
    }

    /// Polls `path` until it answers `status`, and returns its problem document.
    static func waitForStatus(_ status: Int, of path: String, stack: TestStack, timeout: Duration = .seconds(30)) async throws -> Problem {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let (code, data) = try? await stack.get(path), code == status, let problem = try? JSONDecoder().decode(Problem.self, from: data) {
                return problem
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw TestStack.TimedOut(path: path, last: "never \(status)")
    }
}
