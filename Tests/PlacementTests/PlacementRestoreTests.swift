import Foundation
import Testing
@testable import Placement
@testable import Shared

/// A restarted placement rebuilds jobs, fleet and its own decisions from the log, decides
/// nothing while it reads, then re-decides each live job once: only a decision that differs
/// from the last logged one is published, its generation continuing the logged ones.
@Suite struct PlacementRestoreTests {
    typealias Fixture = PlacementCoordinatorTests
    static let now = Fixture.now
    static let running = JobPhaseChanged(jobID: "job-a", phase: .running, previous: .waiting, reason: "r", message: "m")

    /// What the first placement decided for job-a on c1 and c3 (c2 not registered yet).
    static func firstDecision() throws -> PlacementDecided {
        var first = PlacementCoordinator()
        for name in ["c1", "c3"] { _ = first.clusterChanged(Fixture.cluster(name, data: "/d/\(name)"), now: now) }
        return try #require(first.jobSubmitted(Fixture.job(numberOfClusters: 2), now: now).first)
    }

    @Test func anUnchangedDecisionIsNotRepublishedAndSteadyKeepsItsSelection() throws {
        let logged = try Self.firstDecision()
        #expect(logged.decision.selected == ["c1", "c3"])
        var restarted = PlacementCoordinator()
        restarted.restore(logged)  // placements read before the job's submission
        for name in ["c1", "c2", "c3"] { restarted.restore(Fixture.cluster(name, data: "/d/\(name)")) }
        restarted.restore(Fixture.job(numberOfClusters: 2), at: Self.now)
        restarted.phaseChanged(Self.running)
        // Without its logged decision, c2 (first by name) would have been chosen.
        #expect(restarted.finishRestore(now: Self.now.addingTimeInterval(60)).isEmpty)
    }

    @Test func aClusterThatLeftWhilePlacementWasDownIsReplacedOnce() throws {
        let logged = try Self.firstDecision()
        var restarted = PlacementCoordinator()
        for name in ["c1", "c2", "c3"] { restarted.restore(Fixture.cluster(name, data: "/d/\(name)")) }
        restarted.restore(Fixture.job(numberOfClusters: 2), at: Self.now)
        restarted.phaseChanged(Self.running)
        restarted.restore(logged)
        restarted.restoreRemoval(of: "c3")
        let replaced = restarted.finishRestore(now: Self.now.addingTimeInterval(60))
        #expect(replaced.map(\.decision.selected) == [["c1", "c2"]])
        #expect(replaced.first?.generation == logged.generation + 1)
        #expect(restarted.clusterChanged(Fixture.cluster("c4"), now: Self.now).isEmpty, "decided once")
    }

    @Test func aJobSubmittedWhilePlacementWasDownIsPlacedAndItsWaitCountsFromTheSubmission() throws {
        var restarted = PlacementCoordinator()
        restarted.restore(Fixture.cluster("c1", data: "/d/1"))
        var waiting = Fixture.job("job-b", minimum: 2)
        waiting.job.spec.server.waitTimeoutSeconds = 30
        restarted.restore(waiting, at: Self.now)
        restarted.restore(Fixture.job("job-c", minimum: 1), at: Self.now)
        let decided = restarted.finishRestore(now: Self.now.addingTimeInterval(10))
        #expect(decided.map(\.jobID) == ["job-b", "job-c"])
        #expect(decided.map(\.sufficient) == [false, true])
        #expect(decided.allSatisfy { $0.generation == 1 })
        let failed = restarted.timePassed(now: Self.now.addingTimeInterval(31))
        #expect(failed == [.timedOut(JobPhaseChanged(jobID: "job-b", phase: .failed, previous: .waiting, reason: "PlacementTimeout", message: "expected 2, only 1 after 30 s"))])
    }

    @Test func unresponsiveClustersStayExcluded() throws {
        let logged = try Self.firstDecision()
        var restarted = PlacementCoordinator()
        for name in ["c1", "c2", "c3"] { restarted.restore(Fixture.cluster(name, data: "/d/\(name)")) }
        restarted.restore(Fixture.job(numberOfClusters: 2), at: Self.now)
        restarted.phaseChanged(Self.running)
        restarted.restore(MoreClientsRequested(jobID: "job-a", round: 3, unresponsive: ["c3"], answered: 1, required: 2))
        restarted.restore(logged)
        let replaced = try #require(restarted.finishRestore(now: Self.now).first)
        #expect(replaced.decision.selected == ["c1", "c2"])
        #expect(replaced.decision.explanation(for: "c3")?.filteredBy == "unresponsive")
    }
}
