import Foundation
import Testing
@testable import Aggregator
@testable import Shared

/// `spec.aggregation`: a round closes at its deadline with k of n, extends once or fails when
/// the quorum is missed, and late updates are discarded or counted into the open round.
@Suite struct RoundPolicyTests {
    typealias T = AggregationCoordinatorTests
    static let start = Date(timeIntervalSince1970: 50_000)

    /// A running job with three participants and the given policy; returns the round-1 base.
    static func started(_ policy: RoundPolicy) -> (AggregationCoordinator, String) {
        var submitted = T.job(rounds: 3, minimum: 3)
        submitted.job.spec.aggregation = policy
        var coordinator = AggregationCoordinator()
        _ = coordinator.jobSubmitted(submitted)
        var placement = T.placement(["c1", "c2", "c3"])
        placement.minAvailableClients = 3
        guard case .publishRoundStarted(let round) = coordinator.placementDecided(placement, now: start).last else { fatalError("not started") }
        return (coordinator, round.baseModelSHA256)
    }

    @Test func theDeadlineClosesTheRoundWithKOfNAndNamesWhoIsMissing() throws {
        var (coordinator, base) = Self.started(RoundPolicy(roundDeadlineSeconds: 30, minResponses: 2))
        _ = coordinator.updateSubmitted(T.update("c1", base: base, value: 1, examples: 10), eventID: "e1", now: Self.start)
        _ = coordinator.updateSubmitted(T.update("c2", base: base, value: 3, examples: 10), eventID: "e2", now: Self.start)
        #expect(coordinator.timePassed(now: Self.start.addingTimeInterval(29)).isEmpty)
        let actions = coordinator.timePassed(now: Self.start.addingTimeInterval(30))
        guard case .publishRoundCompleted(let completed) = actions.first(where: { if case .publishRoundCompleted = $0 { true } else { false } }) else {
            Issue.record("round did not close: \(actions)")
            return
        }
        #expect(completed.missing == ["c3"])
        #expect(completed.contributions.map(\.cluster) == ["c1", "c2"])
        guard case .publishRoundStarted(let next) = actions.last else { Issue.record("no next round"); return }
        #expect(next.round == 2)
    }

    @Test func aMissedQuorumExtendsOnceThenFailsTheJob() throws {
        var (coordinator, base) = Self.started(RoundPolicy(roundDeadlineSeconds: 30, minResponses: 2, onQuorumMissed: .extendOnce))
        _ = coordinator.updateSubmitted(T.update("c1", base: base, value: 1, examples: 10), eventID: "e1", now: Self.start)
        guard case .publishDeadlineExtended(let extended) = try #require(coordinator.timePassed(now: Self.start.addingTimeInterval(30)).first) else {
            Issue.record("not extended")
            return
        }
        #expect(extended.answered == ["c1"] && extended.required == 2)
        #expect(coordinator.timePassed(now: Self.start.addingTimeInterval(59)).isEmpty)
        guard case .publishPhase(let failed) = try #require(coordinator.timePassed(now: Self.start.addingTimeInterval(60)).first) else {
            Issue.record("not failed")
            return
        }
        #expect(failed.phase == .failed && failed.reason == "QuorumNotReached")
        #expect(failed.message == "round 1: 2 of 3 updates required, 1 arrived by the deadline (extended once)")
    }

    @Test func withoutExtensionAMissedQuorumFailsAtOnce() throws {
        var (coordinator, _) = Self.started(RoundPolicy(roundDeadlineSeconds: 10, minResponses: 1, onQuorumMissed: .fail))
        guard case .publishPhase(let failed) = try #require(coordinator.timePassed(now: Self.start.addingTimeInterval(10)).first) else { return }
        #expect(failed.reason == "QuorumNotReached" && failed.message.hasPrefix("round 1: 1 of 3 updates required, 0 arrived"))
    }

    @Test(arguments: [RoundPolicy.LateUpdates.discard, .nextRound])
    func lateUpdatesFollowThePolicy(_ late: RoundPolicy.LateUpdates) throws {
        var (coordinator, base) = Self.started(RoundPolicy(roundDeadlineSeconds: 30, minResponses: 2, lateUpdates: late))
        _ = coordinator.updateSubmitted(T.update("c1", base: base, value: 1, examples: 10), eventID: "e1", now: Self.start)
        _ = coordinator.updateSubmitted(T.update("c2", base: base, value: 1, examples: 10), eventID: "e2", now: Self.start)
        _ = coordinator.timePassed(now: Self.start.addingTimeInterval(30))  // round 1 closes without c3
        let actions = coordinator.updateSubmitted(T.update("c3", round: 1, base: base, value: 9, examples: 10), eventID: "late", now: Self.start.addingTimeInterval(31))
        switch late {
        case .discard:
            guard case .publishRejection(let rejection) = try #require(actions.first) else { Issue.record("accepted"); return }
            #expect(rejection.reason.hasPrefix("late: round 1 closed"))
        case .nextRound:
            #expect(actions.isEmpty)
            // A second copy of the same late update is not counted twice.
            let again = coordinator.updateSubmitted(T.update("c3", round: 1, base: base, value: 9, examples: 10), eventID: "late2", now: Self.start.addingTimeInterval(32))
            guard case .publishRejection = try #require(again.first) else { Issue.record("counted twice"); return }
        }
    }
}

/// A participant that reports it cannot train is not waited for.
@Suite struct ParticipationFailureTests {
    typealias T = AggregationCoordinatorTests

    @Test func theRoundCompletesWithTheOthersAndNamesTheFailedCluster() throws {
        var (coordinator, base) = T.started()
        _ = coordinator.updateSubmitted(T.update("c1", base: base, value: 2, examples: 10), eventID: "e1")
        let actions = coordinator.participationFailed(RoundParticipationFailed(jobID: "job-a", round: 1, cluster: "c2", reason: "cannot read local data"), now: Date())
        guard case .publishRoundCompleted(let completed) = actions.first(where: { if case .publishRoundCompleted = $0 { true } else { false } }) else {
            Issue.record("round did not complete: \(actions)")
            return
        }
        #expect(completed.contributions.map(\.cluster) == ["c1"] && completed.missing == ["c2"])
        // The next round asks both again: a failure is per round, not an eviction.
        guard case .publishRoundStarted(let next) = actions.last else { Issue.record("no next round"); return }
        #expect(next.participants.map(\.cluster) == ["c1", "c2"])
    }

    @Test func whenEveryParticipantFailsTheJobFailsWithTheReason() throws {
        var (coordinator, _) = T.started()
        _ = coordinator.participationFailed(RoundParticipationFailed(jobID: "job-a", round: 1, cluster: "c1", reason: "diverged"), now: Date())
        let actions = coordinator.participationFailed(RoundParticipationFailed(jobID: "job-a", round: 1, cluster: "c2", reason: "no data"), now: Date())
        guard case .publishPhase(let failed) = try #require(actions.first) else { Issue.record("\(actions)"); return }
        #expect(failed.reason == "NoParticipantLeft" && failed.message.contains("c2: no data"))
    }

    @Test func aReportForAnotherRoundOrClusterChangesNothing() {
        var (coordinator, _) = T.started()
        #expect(coordinator.participationFailed(RoundParticipationFailed(jobID: "job-a", round: 2, cluster: "c1", reason: "x"), now: Date()).isEmpty)
        #expect(coordinator.participationFailed(RoundParticipationFailed(jobID: "job-a", round: 1, cluster: "c9", reason: "x"), now: Date()).isEmpty)
        #expect(coordinator.currentRound(of: "job-a") == 1)
    }
}

/// `onQuorumMissed: askForMoreClients`: at the deadline the round asks placement to replace
/// who did not answer; the replacements join the same round, announced again to everyone.
@Suite struct MoreClientsPolicyTests {
    typealias T = AggregationCoordinatorTests
    static let start = RoundPolicyTests.start

    @Test func replacementsJoinTheRoundThatAskedForThem() throws {
        var (coordinator, base) = RoundPolicyTests.started(RoundPolicy(roundDeadlineSeconds: 30, minResponses: 2, onQuorumMissed: .askForMoreClients))
        _ = coordinator.updateSubmitted(T.update("c1", base: base, value: 1, examples: 10), eventID: "e1", now: Self.start)
        let missed = coordinator.timePassed(now: Self.start.addingTimeInterval(30))
        #expect(missed.count == 2)
        guard case .requestMoreClients(let request) = try #require(missed.last) else { Issue.record("no request in \(missed)"); return }
        #expect(request.unresponsive == ["c2", "c3"] && request.answered == 1 && request.required == 2 && request.round == 1)

        var placement = T.placement(["c1", "c4", "c5"])
        placement.generation = 2
        let joined = coordinator.placementDecided(placement, now: Self.start.addingTimeInterval(31))
        guard case .reannounceRound(let announced, let generation) = try #require(joined.first) else { Issue.record("not announced: \(joined)"); return }
        #expect(generation == 2 && announced.round == 1 && announced.baseModelSHA256 == base)
        #expect(announced.participants.map(\.cluster) == ["c1", "c2", "c3", "c4", "c5"])

        // c2 and c3 are no longer waited for; the replacements c4 and c5 complete the round.
        _ = coordinator.updateSubmitted(T.update("c4", base: base, value: 2, examples: 10), eventID: "e4", now: Self.start.addingTimeInterval(32))
        let completed = coordinator.updateSubmitted(T.update("c5", base: base, value: 3, examples: 10), eventID: "e5", now: Self.start.addingTimeInterval(33))
        guard case .publishRoundCompleted(let round) = try #require(completed.first(where: { if case .publishRoundCompleted = $0 { true } else { false } })) else { return }
        #expect(round.contributions.map(\.cluster) == ["c1", "c4", "c5"])
        #expect(round.missing == [])
    }

    @Test func withoutReplacementsTheSecondDeadlineFailsTheJob() throws {
        var (coordinator, base) = RoundPolicyTests.started(RoundPolicy(roundDeadlineSeconds: 30, minResponses: 2, onQuorumMissed: .askForMoreClients))
        _ = coordinator.updateSubmitted(T.update("c1", base: base, value: 1, examples: 10), eventID: "e1", now: Self.start)
        _ = coordinator.timePassed(now: Self.start.addingTimeInterval(30))
        guard case .publishPhase(let failed) = try #require(coordinator.timePassed(now: Self.start.addingTimeInterval(60)).first) else { return }
        #expect(failed.reason == "QuorumNotReached")
        #expect(failed.message == "round 1: 2 of 3 updates required, 1 arrived by the deadline (extended once, replacements asked for)")
    }
}

@Test func theCompletionMessageCountsRoundsInEnglish() {
    #expect(CompletionMessage.allRoundsCompleted(1, finalModel: "/m/round-0001.safetensors") == "1 round completed; final model /m/round-0001.safetensors")
    #expect(CompletionMessage.allRoundsCompleted(10, finalModel: "/m") == "10 rounds completed; final model /m")
}
