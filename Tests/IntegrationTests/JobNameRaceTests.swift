import Foundation
import Testing
@testable import Shared

/// Concurrent submissions of one job name: exactly one wins, and only its event reaches the log.
@Suite(.timeLimit(.minutes(2)))
struct JobNameRaceTests {
    @Test func ofTwentyConcurrentSubmissionsOfOneNameExactlyOneIsAccepted() async throws {
        let stack = try await TestStack.make(clusters: 1, label: "race")
        try await stack.running([try stack.statusAPI()]) {
            _ = try await stack.waitFor("readyz", as: [String: String].self) { _ in true }
            let document = TestStack.jobDocument(name: "raced-job", rounds: 1, minimum: 1)
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<20 { group.addTask { try await stack.post("v1/jobs", body: document).0 } }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 202 }.count == 1, "statuses: \(statuses.sorted())")
            #expect(statuses.filter { $0 == 409 }.count == 19, "statuses: \(statuses.sorted())")

            let submitted = try await EventLog.read(topics: [.jobs], stack: stack, idle: .seconds(1)).filter {
                $0.header("ce_type").map { String(decoding: $0, as: UTF8.self) } == EventType.jobSubmitted.rawValue
            }
            #expect(submitted.count == 1)
            // A name the projection knows is refused too, after the claim is long gone from memory.
            _ = try await stack.waitFor("v1/jobs/raced-job", as: JobView.self) { _ in true }
            #expect(try await stack.post("v1/jobs", body: document).0 == 409)
        }
    }
}
