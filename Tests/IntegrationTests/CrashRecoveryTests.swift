import Foundation
import Learning
import Testing
@testable import Aggregator
@testable import Shared

/// The aggregator is SIGKILLed three times during one job: right after a round was announced
/// (before its first update), between two updates of a round, and half-way through writing a
/// round's model file. Each time it is started again, rebuilds its state from the log, and the
/// job completes (a completed round's file deleted after the first crash is written again).
/// Then every round is re-aggregated afresh from the logged updates: each
/// model has the same sha256 as the one the aggregator published and wrote, and no update was
/// counted twice or lost.
@Suite(.timeLimit(.minutes(3)))
struct CrashRecoveryTests {
    static let faults = ["round-started:2", "update-folded:3:2", "model-writing:4", ""]

    @Test func killedThreeTimesMidJobTheAggregatorLosesNothingAndRecountsNothing() async throws {
        let stack = try await TestStack.make(clusters: 3, label: "crash")
        try await stack.running(try stack.services(clusters: 3, aggregator: false)) {
            _ = try await stack.waitFor("v1/clusters", as: ClusterList.self) { $0.items.filter { $0.state == "Registered" }.count == 3 }
            #expect(try await stack.post("v1/jobs", body: TestStack.jobDocument(name: "crash-job", rounds: 4, minimum: 3)).0 == 202)
            for (run, fault) in Self.faults.enumerated() {
                let aggregator = try AggregatorProcess.start(stack: stack, fault: fault, run: run)
                if fault.isEmpty {
                    do {
                        _ = try await stack.waitFor("v1/jobs/crash-job", as: JobView.self) { $0.phase == "Completed" && $0.rounds.completed == 4 }
                    } catch {
                        Issue.record("the last aggregator's log:\n\(aggregator.logText)")
                        throw error
                    }
                    await aggregator.stop()
                } else {
                    let signal = try await aggregator.waitForDeath()
                    #expect(signal == SIGKILL, "run \(run) (\(fault)) ended by \(signal.map(String.init) ?? "exit"):\n\(aggregator.logText)")
                    if run > 0 { #expect(aggregator.logText.contains("state rebuilt from the log"), "\(aggregator.logText)") }
                    if run == 0 {
                        // Round 1's file is lost with the crash: the next start rewrites it from the log.
                        try FileManager.default.removeItem(at: stack.modelRoot.appendingPathComponent("data/models/crash-job/round-0001.safetensors"))
                    }
                }
            }
        }
        try await checkEveryRoundReaggregatesToTheLoggedModel(stack)
    }

    private func checkEveryRoundReaggregatesToTheLoggedModel(_ stack: TestStack) async throws {
        let events = try await Self.distinctEvents(stack, topics: [.rounds, .updates])
        let completed = try events.filter { $0.type == .roundCompleted }.map { try RoundCompleted(from: $0) }.sorted { $0.round < $1.round }
        #expect(completed.map(\.round) == [1, 2, 3, 4], "each round completed exactly once")
        let updates = try Dictionary(events.filter { $0.type == .modelUpdateSubmitted }.map { ($0.id, try ModelUpdateSubmitted(from: $0)) }) { first, _ in first }
        let rejected = try Set(events.filter { $0.type == .modelUpdateRejected }.map { try ModelUpdateRejected(from: $0).updateEventID })
        let initial = try #require(try events.filter { $0.type == .globalModelPublished }.map { try GlobalModelPublished(from: $0) }.first { $0.version == 0 })

        var model = initial.parameters
        for round in completed {
            #expect(Set(round.contributions.map(\.cluster)) == ["c1", "c2", "c3"] && round.contributions.count == 3, "round \(round.round): \(round.contributions)")
            var aggregator = try RoundAggregator(strategy: .fedAvg, global: model)
            for contribution in round.contributions {
                let update = try #require(updates[contribution.updateEventID ?? ""], "round \(round.round): update \(contribution) is not in the log")
                #expect(update.round == round.round && update.cluster == contribution.cluster)
                try aggregator.add(update.parameters, examples: update.examples)
            }
            (model, _) = try aggregator.finish()
            let fresh = ModelDigest.sha256(AggregationCoordinator.modelFile(model, jobID: "crash-job", round: round.round, strategy: round.strategy))
            #expect(fresh == round.modelSHA256, "round \(round.round): fresh re-aggregation differs from the published model")
            let file = try Data(contentsOf: stack.modelRoot.appendingPathComponent(round.modelPath))
            #expect(ModelDigest.sha256(Array(file)) == round.modelSHA256, "round \(round.round): the file on disk differs")
        }
        let counted = completed.flatMap { $0.contributions.compactMap(\.updateEventID) }
        #expect(Set(counted).count == counted.count, "an update was counted twice")
        let lost = Set(updates.keys).subtracting(counted).subtracting(rejected)
        #expect(lost.isEmpty, "updates neither counted nor rejected: \(lost)")
    }

    /// The events on `topics`, pieces reassembled, each id once (a rebuilt aggregator may
    /// publish a decision again under the same id).
    static func distinctEvents(_ stack: TestStack, topics: [Topic]) async throws -> [EventEnvelope] {
        var assembler = ChunkAssembler()
        var seen = Set<String>()
        var events: [EventEnvelope] = []
        for message in try await EventLog.read(topics: topics, stack: stack, idle: .seconds(1)) {
            guard var envelope = try? EventEnvelope(message: message) else { continue }
            if envelope.chunk != nil {
                guard let whole = try assembler.add(envelope) else { continue }
                envelope = whole.envelope
            }
            if seen.insert(envelope.id).inserted { events.append(envelope) }
        }
        return events
    }
}
