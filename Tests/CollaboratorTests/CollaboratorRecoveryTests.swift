import Foundation
import Learning
import Testing
@testable import Collaborator
@testable import Shared

/// What a restarted agent owes, read from the log alone: it trains a round that names it and
/// that it never answered, evaluates a round it contributed to and never evaluated, and sends
/// nothing it already sent or that a failed job no longer wants.
@Suite struct CollaboratorRecoveryTests {
    static let me = "c1"
    static let source = "flotilla/collaborator/c1"
    static let base = ModelArchitecture.softmaxRegression(inputs: 4, classes: 3).initialParameters(seed: 1)

    struct Log {
        var events: [ConsumedEvent] = []

        mutating func write(_ envelope: EventEnvelope) {
            events.append(ConsumedEvent(
                envelope: envelope, message: KafkaConsumerMessage(topic: envelope.type.topic.rawValue, partition: 0, offset: Int64(events.count), value: []),
                topic: envelope.type.topic
            ))
        }

        mutating func model(_ job: String, version: Int) {
            write(EncodedModel(GlobalModelPublished(jobID: job, version: version, parameters: CollaboratorRecoveryTests.base)).envelope(source: "hub", id: "\(job)-m\(version)"))
        }

        mutating func started(_ job: String, round: Int, participants: [String]) {
            let model = GlobalModelPublished(jobID: job, version: round - 1, parameters: CollaboratorRecoveryTests.base)
            write(RoundStarted(
                jobID: job, round: round, participants: participants.map { Participant(cluster: $0, dataPath: "/data/\($0)") }, baseVersion: round - 1,
                baseModelSHA256: model.sha256, architecture: .softmaxRegression(inputs: 4, classes: 3), training: .default
            ).envelope(source: "hub", id: "\(job)-s\(round)", time: .distantPast))
        }

        mutating func completed(_ job: String, round: Int, contributors: [String]) {
            write(RoundCompleted(
                jobID: job, round: round, contributions: contributors.map { Contribution(cluster: $0, examples: 10, loss: 0.5) }, strategy: "fedAvg",
                modelVersion: round, modelSHA256: "x", modelPath: "/m", meanLoss: 0.5, totalExamples: 10 * contributors.count
            ).envelope(source: "hub", id: "\(job)-c\(round)", time: .distantPast))
        }

        mutating func update(_ job: String, round: Int, from cluster: String) {
            let update = ModelUpdateSubmitted(jobID: job, round: round, cluster: cluster, examples: 10, loss: 0.5, baseModelSHA256: "x", parameters: CollaboratorRecoveryTests.base)
            write(update.envelope(source: "flotilla/collaborator/\(cluster)", id: "\(job)-u\(round)-\(cluster)", time: .distantPast))
        }

        func recovered() -> CollaboratorRecovery {
            var recovery = CollaboratorRecovery(cluster: CollaboratorRecoveryTests.me, source: CollaboratorRecoveryTests.source)
            for event in events { recovery.apply(event) }
            return recovery
        }
    }

    @Test func anUnansweredRoundIsTrainedFromTheModelItWasAnnouncedOn() {
        var log = Log()
        log.model("a", version: 0)
        log.started("a", round: 1, participants: ["c1", "c2"])
        log.update("a", round: 1, from: "c2")
        let recovery = log.recovered()
        #expect(recovery.pending.rounds.map(\.round) == [1])
        #expect(recovery.models["a"]?.version == 0, "the base model is known again")
        #expect(recovery.handledRounds["a"] == nil, "so the agent may claim round 1")
    }

    @Test func anAnsweredRoundIsNotTrainedAgainAndItsEvaluationIsOwed() {
        var log = Log()
        log.model("a", version: 0)
        log.started("a", round: 1, participants: ["c1", "c2"])
        log.update("a", round: 1, from: "c1")
        #expect(log.recovered().pending.rounds.isEmpty, "its update is on the log")
        log.update("a", round: 1, from: "c2")
        log.model("a", version: 1)
        log.completed("a", round: 1, contributors: ["c1", "c2"])
        log.started("a", round: 2, participants: ["c1", "c2"])
        let recovery = log.recovered()
        #expect(recovery.pending.evaluations.map(\.round) == [1], "round 1 is evaluated, with round 2's announcement known")
        #expect(recovery.pending.rounds.map(\.round) == [2])
        #expect(recovery.announced["a"]?.keys.sorted() == [1, 2])
        #expect(recovery.handledRounds["a"] == 1)

        log.write(EvaluationReported(jobID: "a", round: 1, cluster: "c1", examples: 5, metrics: ["accuracy": 0.9]).envelope(source: Self.source, id: "e1", time: .distantPast))
        #expect(log.recovered().pending.evaluations.isEmpty, "already reported")
    }

    @Test func aFailedJobOwesNothingAndACompletedOneOnlyItsLastEvaluation() {
        var log = Log()
        for job in ["failed", "done"] {
            log.model(job, version: 0)
            log.started(job, round: 1, participants: ["c1"])
        }
        log.write(JobPhaseChanged(jobID: "failed", phase: .failed, previous: .running, reason: "Cancelled", message: "").envelope(source: "hub", id: "f", time: .distantPast))
        log.update("done", round: 1, from: "c1")
        log.model("done", version: 1)
        log.completed("done", round: 1, contributors: ["c1"])
        log.write(JobPhaseChanged(jobID: "done", phase: .completed, previous: .running, reason: "AllRoundsCompleted", message: "").envelope(source: "hub", id: "d", time: .distantPast))
        let recovery = log.recovered()
        #expect(recovery.pending.rounds.isEmpty)
        #expect(recovery.pending.evaluations.map(\.jobID) == ["done"])
        #expect(recovery.models["failed"] == nil, "a failed job's model is not kept")
    }

    @Test func anotherClustersReportsAndForgedOnesDoNotCount() {
        var log = Log()
        log.model("a", version: 0)
        log.started("a", round: 1, participants: ["c1", "c2"])
        // An update naming c1 but published by another agent is not c1's.
        let forged = ModelUpdateSubmitted(jobID: "a", round: 1, cluster: "c1", examples: 10, loss: 0.5, baseModelSHA256: "x", parameters: Self.base)
        log.write(forged.envelope(source: "flotilla/collaborator/c2", id: "forged", time: .distantPast))
        log.write(RoundParticipationFailed(jobID: "a", round: 1, cluster: "c2", reason: "no data").envelope(source: "flotilla/collaborator/c2", id: "f2", time: .distantPast))
        #expect(log.recovered().pending.rounds.map(\.round) == [1])
        let recovery = log.recovered()
        #expect(recovery.reassembles(EventEnvelope(id: "p", type: .modelUpdateSubmitted, source: "flotilla/collaborator/c2", subject: "a", contentType: .octetStream, data: [])) == false)
        #expect(recovery.reassembles(EventEnvelope(id: "p", type: .modelUpdateSubmitted, source: Self.source, subject: "a", contentType: .octetStream, data: [])))
        #expect(recovery.reassembles(EventEnvelope(id: "p", type: .globalModelPublished, source: "hub", subject: "a", contentType: .octetStream, data: [])))
    }
}
