import Foundation
import Learning
import Shared

extension AggregationCoordinator {
    /// After a restart: finishes what the log shows was under way for a running job. A round
    /// whose expected updates all arrived completes; a job between rounds (it stopped after
    /// one round's end and before the next one's start) starts the next round, or completes
    /// when it was the last.
    public mutating func resume(_ jobID: String, now: Date) -> [AggregatorAction] {
        guard var job = jobs[jobID], job.phase == .running else { return [] }
        defer { jobs[jobID] = job }
        if let round = job.round {
            return round.isComplete && !round.contributions.isEmpty ? completeRound(&job, now: now) : []
        }
        let rounds = job.job.spec.server.rounds
        if job.version >= rounds {
            job.phase = .completed
            return [.publishPhase(JobPhaseChanged(
                jobID: jobID, phase: .completed, previous: .running, reason: "AllRoundsCompleted",
                message: CompletionMessage.allRoundsCompleted(job.version, finalModel: job.modelPath(round: job.version))
            ))]
        }
        let model = GlobalModelPublished(
            jobID: jobID, version: job.version, parameters: job.model ?? job.startingModel,
            strategy: job.strategy.name
        )
        do {
            let started = try startRound(job.version + 1, of: &job, participants: job.participants, base: model, now: now)
            return [.publishModel(EncodedModel(model)), .publishRoundStarted(started)]
        } catch {
            return [job.fail(reason: "AggregationFailed", message: "round \(job.version + 1): \(error)")]
        }
    }
}
