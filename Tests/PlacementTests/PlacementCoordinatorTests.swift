import Foundation
import Testing
@testable import Placement
@testable import Shared

/// The service-level rules around the scheduler: waiting jobs are re-decided when the fleet
/// changes, only changed decisions are published, and each participant gets its claimed data path.
@Suite struct PlacementCoordinatorTests {
    static let now = Date(timeIntervalSince1970: 10_000)
    static let claim = "federated-learning-sample.client-data"

    static func job(_ name: String = "job-a", minimum: Int = 2, numberOfClusters: Int32? = nil) -> JobSubmitted {
        let placement = PlacementSpec(
            clusterSets: ["global"], numberOfClusters: numberOfClusters,
            predicates: [ClusterPredicate(requiredClusterSelector: ClusterSelector(claimSelector: ClusterClaimSelector(matchExpressions: [SelectorRequirement(key: claim, operator: .exists)])))]
        )
        return JobSubmitted(job: FederatedLearningJob(
            metadata: ObjectMeta(name: name),
            spec: FederatedLearningSpec(server: ServerSpec(rounds: 1, minAvailableClients: minimum, storage: StorageSpec(path: "/m")), client: ClientSpec(placement: placement))
        ))
    }

    static func cluster(_ name: String, data: String? = nil) -> ManagedCluster {
        ManagedCluster(name: name, claims: data.map { [claim: $0] } ?? [:], resources: ClusterResources(cpuMillicores: 1000, memoryBytes: 1 << 30))
    }

    @Test func waitsWithAMessageThenStartsWhenEnoughClustersClaimTheData() throws {
        var coordinator = PlacementCoordinator()
        _ = coordinator.clusterChanged(Self.cluster("c1", data: "/data/1"), now: Self.now)
        let waiting = try #require(coordinator.jobSubmitted(Self.job(), now: Self.now).first)
        #expect(!waiting.sufficient && waiting.message == "expected 2, only 1")
        #expect(waiting.decision.condition.satisfied)

        // A cluster without the claim changes nothing, so nothing is published.
        #expect(coordinator.clusterChanged(Self.cluster("c2"), now: Self.now).isEmpty)

        let ready = try #require(coordinator.clusterChanged(Self.cluster("c3", data: "/data/3"), now: Self.now).first)
        #expect(ready.sufficient && ready.generation == 2)
        #expect(ready.participants == [Participant(cluster: "c1", dataPath: "/data/1"), Participant(cluster: "c3", dataPath: "/data/3")])
        #expect(ready.decision.explanation(for: "c2")?.filteredBy == "predicates")
    }

    @Test func duplicateSubmissionsChangeNothingAndFinishedJobsAreNeverRedecided() throws {
        var coordinator = PlacementCoordinator()
        _ = coordinator.clusterChanged(Self.cluster("c1", data: "/d"), now: Self.now)
        _ = coordinator.clusterChanged(Self.cluster("c2", data: "/d"), now: Self.now)
        #expect(coordinator.jobSubmitted(Self.job(), now: Self.now).count == 1)
        #expect(coordinator.jobSubmitted(Self.job(), now: Self.now).isEmpty)
        // Running with numberOfClusters unset: like OCM, a new matching cluster joins the decision.
        coordinator.phaseChanged(JobPhaseChanged(jobID: "job-a", phase: .running, previous: .waiting, reason: "r", message: "m"))
        let grown = try #require(coordinator.clusterChanged(Self.cluster("c3", data: "/d"), now: Self.now).first)
        #expect(grown.decision.selected == ["c1", "c2", "c3"])
        // A finished job keeps its last decision.
        coordinator.phaseChanged(JobPhaseChanged(jobID: "job-a", phase: .completed, previous: .running, reason: "r", message: "m"))
        #expect(coordinator.clusterChanged(Self.cluster("c4", data: "/d"), now: Self.now).isEmpty)
    }

    @Test func numberOfClustersLimitsTheSelectionAndRemovalRedecides() throws {
        var coordinator = PlacementCoordinator()
        for name in ["c1", "c2", "c3"] { _ = coordinator.clusterChanged(Self.cluster(name, data: "/d/\(name)"), now: Self.now) }
        let decided = try #require(coordinator.jobSubmitted(Self.job(minimum: 2, numberOfClusters: 2), now: Self.now).first)
        #expect(decided.decision.selected.count == 2 && decided.sufficient)
        let after = try #require(coordinator.clusterRemoved(decided.decision.selected[0], now: Self.now).first)
        #expect(after.decision.selected.count == 2 && !after.decision.selected.contains(decided.decision.selected[0]))
    }
}

/// Time-driven rules: the wait timeout fails a job that never got enough clusters, and a
/// running job loses a cluster whose `unavailable` taint outlived its toleration.
@Suite struct PlacementTimeTests {
    static let now = PlacementCoordinatorTests.now

    @Test func aJobThatWaitsPastItsTimeoutFailsWithTheReason() throws {
        var coordinator = PlacementCoordinator()
        var submitted = PlacementCoordinatorTests.job(minimum: 2)
        submitted.job.spec.server.waitTimeoutSeconds = 30
        _ = coordinator.clusterChanged(PlacementCoordinatorTests.cluster("c1", data: "/d"), now: Self.now)
        _ = coordinator.jobSubmitted(submitted, now: Self.now)
        #expect(coordinator.timePassed(now: Self.now.addingTimeInterval(29)).isEmpty)
        let outputs = coordinator.timePassed(now: Self.now.addingTimeInterval(30))
        guard case .timedOut(let failure) = try #require(outputs.first) else { Issue.record("no failure: \(outputs)"); return }
        #expect(failure.phase == .failed && failure.reason == "PlacementTimeout" && failure.message == "expected 2, only 1 after 30 s")
        #expect(coordinator.timePassed(now: Self.now.addingTimeInterval(90)).isEmpty)
    }

    @Test func anUnavailableClusterIsReplacedWhileRunningAndTheOthersStay() throws {
        var coordinator = PlacementCoordinator()
        for name in ["c1", "c2", "c3"] { _ = coordinator.clusterChanged(PlacementCoordinatorTests.cluster(name, data: "/d/\(name)"), now: Self.now) }
        let first = try #require(coordinator.jobSubmitted(PlacementCoordinatorTests.job(minimum: 2, numberOfClusters: 2), now: Self.now).first)
        #expect(first.decision.selected == ["c1", "c2"])
        coordinator.phaseChanged(JobPhaseChanged(jobID: "job-a", phase: .running, previous: .waiting, reason: "r", message: "m"))

        var tainted = PlacementCoordinatorTests.cluster("c1", data: "/d/c1")
        tainted.taints = [Taint(key: Taint.unavailableKey, effect: .noSelect, timeAdded: Self.now)]
        let replaced = try #require(coordinator.clusterChanged(tainted, now: Self.now).first)
        #expect(Set(replaced.decision.selected) == ["c2", "c3"])
        #expect(replaced.decision.explanation(for: "c1")?.filteredBy == "taintToleration")

        // Withdrawing the data claim removes a cluster the same way.
        let withdrawn = try #require(coordinator.clusterChanged(PlacementCoordinatorTests.cluster("c3"), now: Self.now).first)
        #expect(withdrawn.decision.selected == ["c2"] && !withdrawn.sufficient)
    }
}

/// Round policy `askForMoreClients`: clusters the aggregator reports unresponsive are never
/// selected for that job again, and the next best candidates replace them.
@Suite struct MoreClientsTests {
    static let now = PlacementCoordinatorTests.now

    @Test func unresponsiveClustersAreReplacedAndExplained() throws {
        var coordinator = PlacementCoordinator()
        for name in ["c1", "c2", "c3", "c4"] { _ = coordinator.clusterChanged(PlacementCoordinatorTests.cluster(name, data: "/d/\(name)"), now: Self.now) }
        let first = try #require(coordinator.jobSubmitted(PlacementCoordinatorTests.job(minimum: 2, numberOfClusters: 2), now: Self.now).first)
        #expect(first.decision.selected == ["c1", "c2"])
        // Not running yet: a request is ignored (only the aggregator of a running job asks).
        #expect(coordinator.moreClientsRequested(MoreClientsRequested(jobID: "job-a", round: 1, unresponsive: ["c2"], answered: 1, required: 2), now: Self.now).isEmpty)
        coordinator.phaseChanged(JobPhaseChanged(jobID: "job-a", phase: .running, previous: .waiting, reason: "r", message: "m"))

        let request = MoreClientsRequested(jobID: "job-a", round: 3, unresponsive: ["c2"], answered: 1, required: 2)
        let replaced = try #require(coordinator.moreClientsRequested(request, now: Self.now).first)
        #expect(replaced.decision.selected == ["c1", "c3"] && replaced.sufficient && replaced.generation == first.generation + 1)
        let explanation = try #require(replaced.decision.explanation(for: "c2"))
        #expect(explanation.filteredBy == "unresponsive" && explanation.filterReason == "sent no update for round 3 by its deadline")

        // The exclusion lasts: a fleet change does not bring c2 back.
        #expect(coordinator.clusterChanged(PlacementCoordinatorTests.cluster("c5", data: "/d/c5"), now: Self.now).allSatisfy { !$0.decision.selected.contains("c2") })
    }
}
