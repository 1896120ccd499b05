import Foundation
import Logging
import PostgresNIO
import Testing
@testable import Shared

/// The status API keeps its offsets in PostgreSQL with its rows: a fresh instance catches up
/// from the log, and a restarted one resumes exactly where the last left off.
@Suite(.timeLimit(.minutes(3)))
struct ProjectionRestartTests {
    static let projectedTopics: [Topic] = [.jobs, .clusters, .placements, .rounds, .updates]

    @Test func aRestartedProjectionNeitherLosesNorReappliesEvents() async throws {
        let stack = try await TestStack.make(clusters: 2, label: "restart")
        let hubWithoutStatusAPI = try stack.services(clusters: 2, statusAPI: false)

        // 1. The job runs while the status API is up only at the start.
        try await stack.running([try stack.statusAPI()]) {
            _ = try await stack.waitFor("readyz", as: [String: String].self) { _ in true }
            let (status, _) = try await stack.post("v1/jobs", body: TestStack.jobDocument(name: "restart-job", rounds: 2, minimum: 2))
            #expect(status == 202)
            _ = try await stack.waitFor("v1/jobs/restart-job", as: JobView.self) { $0.phase == "Waiting" }
        }
        // 2. The rest of the job happens while no status API runs at all.
        try await stack.running(hubWithoutStatusAPI) {
            try await waitUntilTopicHas(stack: stack, .jobs, eventType: .jobPhaseChanged, count: 2)
        }
        // 3. A new status API instance on the same database catches up from its stored offsets.
        //    (Topics are applied independently, so wait for the rounds as well as the phase.)
        let first = try await stack.running([try stack.statusAPI()]) {
            _ = try await stack.waitFor("v1/jobs/restart-job", as: JobView.self) {
                $0.phase == "Completed" && $0.rounds.completed == 2 && $0.roundDetails.allSatisfy { $0.updatesReceived == 2 && $0.state == "Completed" }
            }
            try await EventLog.waitUntilProjected(stack: stack, topics: ProjectionRestartTests.projectedTopics)
            // Read once everything on the log is applied (federated evaluations arrive after the rounds).
            return try await stack.waitFor("v1/jobs/restart-job", as: JobView.self) { _ in true }
        }
        #expect(first.history.map(\.to) == ["Waiting", "Running", "Completed"])
        #expect(first.roundDetails.map(\.round) == [1, 2])
        let rows = try await countRows(stack)

        // 4. Restarting again re-reads nothing twice: the same rows, the same document.
        let second = try await stack.running([try stack.statusAPI()]) {
            try await Task.sleep(for: .seconds(2))
            return try await stack.waitFor("v1/jobs/restart-job", as: JobView.self) { _ in true }
        }
        #expect(second == first)
        #expect(try await countRows(stack) == rows)
    }

    private func waitUntilTopicHas(stack: TestStack, _ topic: Topic, eventType: EventType, count: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            let messages = try await EventLog.read(topics: [topic], stack: stack, idle: .milliseconds(500))
            let matching = messages.filter { ($0.header("ce_type")).map { String(decoding: $0, as: UTF8.self) } == eventType.rawValue }
            if matching.count >= count { return }
        }
        Issue.record("\(topic) never had \(count) \(eventType.rawValue) events")
    }

    private func countRows(_ stack: TestStack) async throws -> [Int] {
        let client = PostgresClient(configuration: stack.database.clientConfiguration, backgroundLogger: stack.logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            var counts: [Int] = []
            for table in ["applied_events", "job_transitions", "job_rounds", "clusters"] {
                for try await count in try await client.query(PostgresQuery(unsafeSQL: "SELECT count(*)::int FROM \(table)")).decode(Int.self) {
                    counts.append(count)
                }
            }
            group.cancelAll()
            return counts
        }
    }
}
