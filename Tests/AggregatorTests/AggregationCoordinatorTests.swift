import Foundation
import Learning
import Testing
@testable import Aggregator
@testable import Shared

/// The aggregator's rules, tested by feeding events and checking the actions it returns.
@Suite struct AggregationCoordinatorTests {
    static let architecture = ModelArchitecture.softmaxRegression(inputs: 4, classes: 3)

    static func job(rounds: Int = 2, minimum: Int = 2) -> JobSubmitted {
        JobSubmitted(job: FederatedLearningJob(
            metadata: ObjectMeta(name: "job-a"),
            spec: FederatedLearningSpec(
                server: ServerSpec(rounds: rounds, minAvailableClients: minimum, storage: StorageSpec(path: "/models")),
                client: ClientSpec(placement: PlacementSpec()),
                training: TrainingSpec(model: .softmaxRegression, inputs: 4, classes: 3)
            )
        ))
    }

    static func placement(_ clusters: [String], sufficient: Bool = true, generation: Int = 1) -> PlacementDecided {
        PlacementDecided(
            jobID: "job-a", generation: generation,
            decision: PlacementDecision(selected: clusters, condition: PlacementCondition(satisfied: true, reason: .allDecisionsScheduled, message: ""), explanations: []),
            participants: clusters.map { Participant(cluster: $0, dataPath: "/data/\($0)") },
            minAvailableClients: 2, sufficient: sufficient, message: sufficient ? "ok" : "expected 2, only 1"
        )
    }

    static func parameters(_ value: Float) -> ModelParameters {
        ModelParameters(tensors: architecture.tensorLayout.map { Tensor(name: $0.name, shape: $0.shape, values: Array(repeating: value, count: $0.shape.reduce(1, *))) })
    }

    /// A running coordinator and the base model SHA of its first round.
    static func started() -> (AggregationCoordinator, String) {
        var coordinator = AggregationCoordinator()
        _ = coordinator.jobSubmitted(job())
        let actions = coordinator.placementDecided(placement(["c1", "c2"]))
        guard case .publishRoundStarted(let round) = actions.last else { fatalError("no round started") }
        return (coordinator, round.baseModelSHA256)
    }

    static func update(_ cluster: String, round: Int = 1, base: String, value: Float, examples: Int) -> ModelUpdateSubmitted {
        ModelUpdateSubmitted(jobID: "job-a", round: round, cluster: cluster, examples: examples, loss: 0.5, baseModelSHA256: base, parameters: parameters(value))
    }

    @Test func insufficientPlacementKeepsTheJobWaiting() {
        var coordinator = AggregationCoordinator()
        _ = coordinator.jobSubmitted(Self.job())
        #expect(coordinator.placementDecided(Self.placement(["c1"], sufficient: false)).isEmpty)
        #expect(coordinator.phase(of: "job-a") == .waiting)
    }

    @Test func sufficientPlacementStartsRunningWithModelZeroThenRoundOne() throws {
        var coordinator = AggregationCoordinator()
        _ = coordinator.jobSubmitted(Self.job())
        let actions = coordinator.placementDecided(Self.placement(["c1", "c2"]))
        #expect(actions.count == 3)
        guard case .publishPhase(let phase) = actions[0], case .publishModel(let model) = actions[1], case .publishRoundStarted(let round) = actions[2] else {
            Issue.record("unexpected actions \(actions)")
            return
        }
        #expect(phase.phase == .running && phase.previous == .waiting)
        #expect(model.event.version == 0 && model.event.strategy == "fedAvg")
        #expect(round.round == 1 && round.baseModelSHA256 == model.event.sha256 && round.participants.map(\.cluster) == ["c1", "c2"])
        // A second decision for a running job changes nothing.
        #expect(coordinator.placementDecided(Self.placement(["c1", "c2", "c3"])).isEmpty)
    }

    /// Jobs and placements are separate topics, read in no fixed order: a decision read before
    /// its job waits for it (the latest generation wins) instead of being dropped.
    @Test func aPlacementReadBeforeItsJobStartsTheJobWhenTheJobArrives() throws {
        var coordinator = AggregationCoordinator()
        #expect(coordinator.placementDecided(Self.placement(["c1", "c2", "c3"], generation: 2)).isEmpty)
        #expect(coordinator.placementDecided(Self.placement(["c1"], generation: 1)).isEmpty)  // older: ignored
        let actions = coordinator.jobSubmitted(Self.job())
        guard actions.count == 3, case .publishRoundStarted(let round) = actions[2] else {
            Issue.record("the job did not start: \(actions)")
            return
        }
        #expect(round.round == 1 && round.participants.map(\.cluster) == ["c1", "c2", "c3"])
        #expect(coordinator.jobSubmitted(Self.job()).isEmpty)  // a duplicate submission starts nothing
    }

    @Test func fedAvgIsWeightedByExamplesAndWrittenBeforeTheRoundEnds() throws {
        var (coordinator, base) = Self.started()
        #expect(coordinator.updateSubmitted(Self.update("c1", base: base, value: 1, examples: 100), eventID: "e1").isEmpty)
        let actions = coordinator.updateSubmitted(Self.update("c2", base: base, value: 4, examples: 300), eventID: "e2")
        guard case .storeModel(let stored) = actions.first, case .publishModel(let model) = actions[1], case .publishRoundCompleted(let completed) = actions[2],
              case .publishRoundStarted(let next) = actions[3] else {
            Issue.record("unexpected actions \(actions)")
            return
        }
        // (1*100 + 4*300) / 400 = 3.25 for every parameter.
        for tensor in model.event.parameters.tensors { #expect(tensor.values.allSatisfy { abs($0 - 3.25) < 1e-6 }) }
        #expect(stored.path == "/models/job-a/round-0001.safetensors")
        #expect(stored.manifest.sha256 == completed.modelSHA256)
        #expect(ModelDigest.sha256(stored.bytes) == completed.modelSHA256)
        // Encoded once: the file is the event's data, and its header says what it is.
        #expect(stored.bytes == model.bytes && model.envelope(source: "t").data == stored.bytes)
        #expect(try SafeTensors.metadata(of: stored.bytes)["flotilla.round"] == "1" && SafeTensors.metadata(of: stored.bytes)["flotilla.strategy"] == "fedAvg")
        #expect(completed.totalExamples == 400 && completed.contributions.map(\.cluster) == ["c1", "c2"])
        #expect(next.round == 2 && next.baseModelSHA256 == model.event.sha256 && next.baseVersion == 1)
    }

    @Test func lastRoundCompletesTheJob() throws {
        var coordinator = AggregationCoordinator()
        _ = coordinator.jobSubmitted(Self.job(rounds: 1))
        guard case .publishRoundStarted(let round) = coordinator.placementDecided(Self.placement(["c1", "c2"])).last else { Issue.record("no round"); return }
        _ = coordinator.updateSubmitted(Self.update("c1", base: round.baseModelSHA256, value: 1, examples: 1), eventID: "e1")
        let actions = coordinator.updateSubmitted(Self.update("c2", base: round.baseModelSHA256, value: 1, examples: 1), eventID: "e2")
        guard case .publishPhase(let done) = actions.last else { Issue.record("unexpected \(actions)"); return }
        #expect(done.phase == .completed && done.reason == "AllRoundsCompleted")
        #expect(coordinator.phase(of: "job-a") == .completed)
    }

    @Test(arguments: [
        ("unknown job", "job-b", 1, "c1", Float(1), 10, "unknown job"),
        ("wrong round", "job-a", 2, "c1", Float(1), 10, "current round is 1"),
        ("not selected", "job-a", 1, "c9", Float(1), 10, "was not selected"),
        ("no examples", "job-a", 1, "c1", Float(1), 0, "example count"),
        ("examples beyond an integer column", "job-a", 1, "c1", Float(1), Int.max, "example count must be in 1...2147483647"),
        ("not a number", "job-a", 1, "c1", Float.nan, 10, ""),
        ("infinite", "job-a", 1, "c1", Float.infinity, 10, ""),
    ])
    func badUpdatesAreRejectedWithAReasonAndChangeNothing(_ label: String, job: String, round: Int, cluster: String, value: Float, examples: Int, reason: String) {
        var (coordinator, base) = Self.started()
        var update = Self.update(cluster, round: round, base: base, value: value, examples: examples)
        update.jobID = job
        let actions = coordinator.updateSubmitted(update, eventID: "bad")
        guard actions.count == 1, case .publishRejection(let rejection) = actions[0] else { Issue.record("\(label): expected one rejection, got \(actions)"); return }
        #expect(rejection.updateEventID == "bad")
        if !reason.isEmpty { #expect(rejection.reason.contains(reason), "\(label): \(rejection.reason)") }
        // The round still completes with exactly the two good updates.
        _ = coordinator.updateSubmitted(Self.update("c1", base: base, value: 2, examples: 1), eventID: "g1")
        let done = coordinator.updateSubmitted(Self.update("c2", base: base, value: 2, examples: 1), eventID: "g2")
        guard case .publishModel(let model) = done[1] else { Issue.record("round did not complete"); return }
        #expect(model.event.parameters.tensors.allSatisfy { $0.values.allSatisfy { abs($0 - 2) < 1e-6 } })
    }

    @Test func duplicateAndWrongShapeAndWrongBaseAreRejected() {
        var (coordinator, base) = Self.started()
        _ = coordinator.updateSubmitted(Self.update("c1", base: base, value: 1, examples: 5), eventID: "e1")
        let duplicate = coordinator.updateSubmitted(Self.update("c1", base: base, value: 9, examples: 5), eventID: "e1b")
        guard case .publishRejection(let first) = duplicate.first else { Issue.record("duplicate accepted"); return }
        #expect(first.reason.contains("duplicate"))

        var misshapen = Self.update("c2", base: base, value: 1, examples: 5)
        misshapen.parameters.tensors[0].shape = [99]
        misshapen.parameters.tensors[0].values = Array(repeating: 1, count: 99)
        guard case .publishRejection = coordinator.updateSubmitted(misshapen, eventID: "e2").first else { Issue.record("wrong shape accepted"); return }

        guard case .publishRejection(let stale) = coordinator.updateSubmitted(Self.update("c2", base: "0000", value: 1, examples: 5), eventID: "e3").first else {
            Issue.record("stale base accepted"); return
        }
        #expect(stale.reason.contains("trained from model"))
        #expect(coordinator.currentRound(of: "job-a") == 1)
    }
}

/// Placement changes while a job runs: departures are not waited for, newcomers join from the
/// next round, and too few clusters fail the job.
@Suite struct ParticipantChangeTests {
    typealias T = AggregationCoordinatorTests

    static func decided(_ clusters: [String], generation: Int) -> PlacementDecided {
        var decided = T.placement(clusters)
        decided.generation = generation
        decided.sufficient = clusters.count >= 2
        return decided
    }

    @Test func aClusterThatLeavesIsNotWaitedForAndTheReplacementJoinsNextRound() throws {
        var (coordinator, base) = T.started()
        _ = coordinator.updateSubmitted(T.update("c1", base: base, value: 1, examples: 10), eventID: "e1")
        // c2 becomes unavailable; c3 replaces it. Round 1 completes with c1's update alone.
        let actions = coordinator.placementDecided(Self.decided(["c1", "c3"], generation: 2))
        guard case .publishRoundCompleted(let completed) = actions.first(where: { if case .publishRoundCompleted = $0 { true } else { false } }),
              case .publishRoundStarted(let next) = actions.last else {
            Issue.record("unexpected \(actions)")
            return
        }
        #expect(completed.contributions.map(\.cluster) == ["c1"])
        #expect(next.round == 2 && next.participants.map(\.cluster) == ["c1", "c3"])
    }

    @Test func tooFewClustersFailTheJobWithTheReason() throws {
        var (coordinator, _) = T.started()
        let actions = coordinator.placementDecided(Self.decided(["c1"], generation: 2))
        guard case .publishPhase(let failed) = try #require(actions.first) else { Issue.record("unexpected \(actions)"); return }
        #expect(failed.phase == .failed && failed.reason == "InsufficientClusters" && failed.message.hasPrefix("expected 2, only 1"))
        #expect(coordinator.phase(of: "job-a") == .failed)
    }
}
