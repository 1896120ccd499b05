import Foundation
import Testing
@testable import Shared

/// A selected cluster whose private data is gone says so; the job goes on without it, and
/// the status API shows who failed and why.
@Suite(.timeLimit(.minutes(2)))
struct ParticipationFailureIntegrationTests {
    struct Rounds: Decodable {
        struct Round: Decodable {
            struct Failure: Decodable { var cluster: String; var reason: String }
            var round: Int
            var failures: [Failure]
            var missing: [String]
            var contributions: [JobView.Contribution]
        }
        var items: [Round]
    }

    @Test func aClusterWithoutItsDataReportsItAndTheJobCompletes() async throws {
        let stack = try await TestStack.make(clusters: 2, label: "failure")
        try FileManager.default.removeItem(at: stack.root.appendingPathComponent("data/private/c2"))
        try await stack.running(try stack.services(clusters: 2)) {
            _ = try await stack.waitFor("v1/clusters", as: ClusterList.self) { $0.items.filter { $0.state == "Registered" }.count == 2 }
            #expect(try await stack.post("v1/jobs", body: TestStack.jobDocument(name: "failing-job", rounds: 2, minimum: 2)).0 == 202)
            _ = try await stack.waitFor("v1/jobs/failing-job", as: JobView.self) { $0.phase == "Completed" && $0.rounds.completed == 2 }
            let rounds = try await stack.waitFor("v1/jobs/failing-job/rounds", as: Rounds.self) { $0.items.allSatisfy { !$0.failures.isEmpty } }
            for round in rounds.items {
                #expect(round.contributions.map(\.cluster) == ["c1"])
                #expect(round.missing == ["c2"])
                #expect(round.failures.first?.cluster == "c2")
                #expect(round.failures.first?.reason.contains("cannot read local data") == true, "\(round.failures)")
            }
        }
    }
}
