import Foundation
import Testing
@testable import Placement
@testable import Shared

/// Point 14 of issue 9, the choice pinned: `Balance` counts the decisions of live jobs only
/// (OCM counts every existing decision; Flotilla never deletes a job, see the placement README).
@Suite struct BalanceLiveJobsTests {
    static let now = PlacementCoordinatorTests.now

    @Test func aFinishedJobNoLongerPushesNewJobsAway() throws {
        var coordinator = PlacementCoordinator()
        for name in ["c1", "c2"] { _ = coordinator.clusterChanged(PlacementCoordinatorTests.cluster(name, data: "/d/\(name)"), now: Self.now) }
        let first = try #require(coordinator.jobSubmitted(PlacementCoordinatorTests.job("job-a", minimum: 1, numberOfClusters: 1), now: Self.now).first)
        #expect(first.decision.selected == ["c1"])  // a tie, broken by name
        // While job-a lives, Balance sends the next job to the other cluster.
        let second = try #require(coordinator.jobSubmitted(PlacementCoordinatorTests.job("job-b", minimum: 1, numberOfClusters: 1), now: Self.now).first)
        #expect(second.decision.selected == ["c2"])
        // Once both ended, neither counts: a new job is scored as on an idle fleet.
        for job in ["job-a", "job-b"] {
            coordinator.phaseChanged(JobPhaseChanged(jobID: job, phase: .running, previous: .waiting, reason: "r", message: "m"))
            coordinator.phaseChanged(JobPhaseChanged(jobID: job, phase: .completed, previous: .running, reason: "r", message: "m"))
        }
        let third = try #require(coordinator.jobSubmitted(PlacementCoordinatorTests.job("job-c", minimum: 1, numberOfClusters: 1), now: Self.now).first)
        let balance = third.decision.explanations.map { $0.scores.first { $0.name == "Balance" }?.score }
        #expect(balance == [100, 100])
        #expect(third.decision.selected == ["c1"])
    }
}
