import Foundation
import ServiceLifecycle
import Testing
@testable import Shared

/// A restarted placement rebuilds the fleet, the jobs and its own decisions from the log: a
/// job submitted while it was down is placed, and a running job whose selected cluster died
/// meanwhile gets a replacement.
@Suite(.timeLimit(.minutes(3)))
struct PlacementRestartTests {
    struct PlacementView: Decodable {
        struct Decision: Decodable { var selected: [String] }
        var generation: Int
        var decision: Decision
    }

    @Test func aRestartedPlacementPlacesNewJobsAndReplacesADeadCluster() async throws {
        let stack = try await TestStack.make(clusters: 3, label: "placement-restart")
        let victim = ServiceGroup(configuration: .init(services: try stack.collaboratorServices(2).map { .init(service: $0) }, logger: stack.logger))
        let others = try stack.hubServices(placement: false) + stack.collaboratorServices(1) + stack.collaboratorServices(3)
        try await stack.running(others) {
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await victim.run() }
                // The first placement selects two of the three clusters (names break ties).
                try await stack.running(try stack.placementServices()) {
                    _ = try await stack.waitFor("v1/clusters", as: ClusterList.self) { $0.items.filter { $0.state == "Registered" }.count == 3 }
                    let document = TestStack.jobDocument(name: "long-job", rounds: 60, minimum: 2, numberOfClusters: 2)
                    #expect(try await stack.post("v1/jobs", body: document).0 == 202)
                    let running = try await stack.waitFor("v1/jobs/long-job", as: JobView.self) { $0.rounds.completed >= 1 }
                    #expect(Set(running.roundDetails[0].participants.map(\.cluster)) == ["c1", "c2"])
                }
                // Placement is down: c2's agent dies (its lease expires) and a new job arrives.
                await victim.triggerGracefulShutdown()
                try await tasks.waitForAll()
                #expect(try await stack.post("v1/jobs", body: TestStack.jobDocument(name: "new-job", rounds: 2, minimum: 1, numberOfClusters: 1)).0 == 202)
                _ = try await stack.waitFor("v1/clusters", as: RegistryRestartTests.Clusters.self, timeout: .seconds(20)) { list in
                    list.items.first { $0.name == "c2" }?.cluster?.taints.contains { $0.key == Taint.unavailableKey } == true
                }
                // The second placement knows the fleet, both jobs and its own last decision.
                try await stack.running(try stack.placementServices()) {
                    // Topics are projected independently: wait for the rounds as well as the phase.
                    _ = try await stack.waitFor("v1/jobs/new-job", as: JobView.self, timeout: .seconds(60)) { $0.phase == "Completed" && $0.rounds.completed == 2 }
                    let replaced = try await stack.waitFor("v1/jobs/long-job/placement", as: PlacementView.self, timeout: .seconds(30)) {
                        Set($0.decision.selected) == ["c1", "c3"]
                    }
                    #expect(replaced.generation == 2, "the generation continued from the logged decision")
                    _ = try await stack.waitFor("v1/jobs/long-job", as: JobView.self, timeout: .seconds(60)) { job in
                        job.roundDetails.contains { Set($0.participants.map(\.cluster)) == ["c1", "c3"] && $0.state == "Completed" }
                    }
                }
            }
        }
    }
}
