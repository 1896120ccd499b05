import Foundation
import Testing
import ServiceLifecycle
@testable import Shared

/// Issue 3's scenario on the real broker: a selected cluster's collaborator dies mid-job; its
/// lease expires; placement replaces it with the next candidate; the job completes; the
/// events and the status API show who left, who joined, and why.
@Suite(.timeLimit(.minutes(3)))
struct LivenessTests {
    struct PlacementView: Decodable {
        struct Explanation: Decodable { var cluster: String; var filteredBy: String?; var filterReason: String?; var selected: Bool }
        struct Decision: Decodable { var selected: [String]; var explanations: [Explanation] }
        var generation: Int
        var decision: Decision
    }

    struct History: Decodable {
        struct Entry: Decodable {
            struct Departure: Decodable { var cluster: String; var filteredBy: String?; var reason: String }
            var generation: Int
            var selected: [String]
            var joined: [String]
            var departed: [Departure]
        }
        var items: [Entry]
    }

    @Test func aDeadCollaboratorIsReplacedAndTheJobCompletes() async throws {
        let stack = try await TestStack.make(clusters: 3, label: "liveness")
        let victim = ServiceGroup(configuration: .init(services: try stack.collaboratorServices(2).map { .init(service: $0) }, logger: stack.logger))
        let others = try stack.hubServices() + stack.collaboratorServices(1) + stack.collaboratorServices(3)
        try await stack.running(others) {
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await victim.run() }
                _ = try await stack.waitFor("v1/clusters", as: ClusterList.self) { $0.items.filter { $0.state == "Registered" }.count == 3 }
                let document = TestStack.jobDocument(name: "live-job", rounds: 40, minimum: 2, numberOfClusters: 2)
                #expect(try await stack.post("v1/jobs", body: document).0 == 202)
                let running = try await stack.waitFor("v1/jobs/live-job", as: JobView.self) { $0.rounds.completed >= 2 }
                #expect(Set(running.roundDetails[0].participants.map(\.cluster)) == ["c1", "c2"])

                await victim.triggerGracefulShutdown()  // c2's agent stops: no more heartbeats or updates
                try await tasks.waitForAll()
                // While it runs on, the job's message names the clusters selected now, not c2.
                let replaced = try await stack.waitFor("v1/jobs/live-job", as: JobView.self, timeout: .seconds(60)) { $0.message.contains("c3") || $0.phase != "Running" }
                #expect(replaced.phase == "Running" && replaced.message == "selected 2 clusters: c1, c3", "\(replaced)")

                let done = try await stack.waitFor("v1/jobs/live-job", as: JobView.self, timeout: .seconds(120)) { $0.phase == "Completed" && $0.rounds.completed == 40 }
                #expect(done.rounds.completed == 40)
                let last = try #require(done.roundDetails.last)
                #expect(Set(last.participants.map(\.cluster)) == ["c1", "c3"], "c3 replaced c2")
                #expect(done.roundDetails.contains { Set($0.participants.map(\.cluster)) == ["c1", "c2"] && $0.contributions.map(\.cluster) == ["c1"] },
                        "the round c2 died in completed without it")
                // That round says who left and why.
                let lost = try #require(done.roundDetails.first { $0.departed?.isEmpty == false }, "no round names a departure")
                #expect(lost.departed?.map(\.cluster) == ["c2"])
                #expect(lost.departed?.first?.filteredBy == "taintToleration" && lost.departed?.first?.reason.contains("unavailable") == true, "\(lost.departed ?? [])")

                let (_, body) = try await stack.get("v1/jobs/live-job/placement")
                let placement = try JSONDecoder().decode(PlacementView.self, from: body)
                #expect(placement.generation >= 2)
                #expect(Set(placement.decision.selected) == ["c1", "c3"])
                let why = try #require(placement.decision.explanations.first { $0.cluster == "c2" })
                #expect(why.filteredBy == "taintToleration" && why.selected == false)
                #expect(why.filterReason?.contains("unavailable") == true, "\(why.filterReason ?? "no reason")")

                // The history says who left, who joined, and why.
                let (_, historyBody) = try await stack.get("v1/jobs/live-job/placement/history")
                let history = try JSONDecoder().decode(History.self, from: historyBody).items
                let change = try #require(history.first { $0.departed.contains { $0.cluster == "c2" } })
                #expect(change.joined == ["c3"])
                #expect(change.departed.first?.filteredBy == "taintToleration")
                #expect(history.first?.selected == ["c1", "c2"])
            }
        }
    }
}
