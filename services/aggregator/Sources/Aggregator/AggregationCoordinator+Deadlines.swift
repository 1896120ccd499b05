import Foundation
import Learning
import Shared

/// The round policy (`spec.aggregation`): deadlines, k of n, late updates, a missed quorum.
extension AggregationCoordinator {
    /// Called on a timer. A round whose deadline passed closes with whoever answered if at
    /// least `minResponses` did; otherwise it is extended once or the job fails, by policy.
    public mutating func timePassed(now: Date) -> [AggregatorAction] {
        var actions: [AggregatorAction] = []
        for id in jobs.keys.sorted() {
            guard var job = jobs[id], job.phase == .running, var round = job.round, let deadline = round.deadline, deadline <= now else { continue }
            let policy = job.policy
            let required = min(policy.minResponses ?? round.participants.count, round.participants.count)
            let answered = round.answered.count
            if answered >= required && !round.contributions.isEmpty {
                actions += completeRound(&job, now: now)
            } else if (policy.onQuorumMissed ?? .fail) != .fail && !round.extended, let seconds = policy.roundDeadlineSeconds {
                round.extended = true
                round.deadline = now.addingTimeInterval(TimeInterval(seconds))
                actions.append(.publishDeadlineExtended(RoundDeadlineExtended(
                    jobID: id, round: round.number, answered: round.answered.sorted(), required: required, newDeadline: now.addingTimeInterval(TimeInterval(seconds))
                )))
                if policy.onQuorumMissed == .askForMoreClients {
                    round.askedForMoreClients = true
                    actions.append(.requestMoreClients(MoreClientsRequested(
                        jobID: id, round: round.number, unresponsive: round.participants.map(\.cluster).filter { !round.answered.contains($0) },
                        answered: answered, required: required
                    )))
                }
                job.round = round
            } else {
                actions.append(job.fail(
                    reason: "QuorumNotReached",
                    message: "round \(round.number): \(required) of \(round.participants.count) updates required, \(answered) arrived by the deadline\(round.extended ? (round.askedForMoreClients ? " (extended once, replacements asked for)" : " (extended once)") : "")"
                ))
            }
            jobs[id] = job
        }
        return actions
    }

    /// A participant reported it cannot answer this round: stop waiting for it. The round ends
    /// when everyone else answered (or at its deadline, by the round policy).
    public mutating func participationFailed(_ failure: RoundParticipationFailed, now: Date) -> [AggregatorAction] {
        guard var job = jobs[failure.jobID], job.phase == .running, var round = job.round, round.number == failure.round,
              round.participants.contains(where: { $0.cluster == failure.cluster }), !round.answered.contains(failure.cluster) else { return [] }
        round.participants.removeAll { $0.cluster == failure.cluster }
        round.failed.append(failure.cluster)
        job.round = round
        defer { jobs[failure.jobID] = job }
        if round.participants.isEmpty || (round.isComplete && round.contributions.isEmpty) {
            return [job.fail(reason: "NoParticipantLeft", message: "round \(round.number): every participant failed (last: \(failure.cluster): \(failure.reason))")]
        }
        return round.isComplete ? completeRound(&job, now: now) : []
    }

    /// An update for the round that just closed, from a participant that missed it. `job` is
    /// already out of `jobs` (see `updateSubmitted`); its round is taken out while folding.
    mutating func lateUpdate(_ update: ModelUpdateSubmitted, eventID: String, job: inout AggregatedJob, now: Date) -> [AggregatorAction] {
        func reject(_ reason: String) -> [AggregatorAction] {
            [.publishRejection(ModelUpdateRejected(jobID: update.jobID, round: update.round, cluster: update.cluster, updateEventID: eventID, reason: reason))]
        }
        guard job.policy.lateUpdates == .nextRound, job.round != nil, let closed = job.lastClosed else {
            return reject("late: round \(update.round) closed at its deadline before this update arrived")
        }
        guard update.examples > 0, update.loss.isFinite else { return reject("late update has no examples or a non-finite loss") }
        guard var round = job.round.take() else { return [] }
        do {
            try job.builtInArchitecture?.validate(update.parameters)
            try round.accumulator.add(update)
        } catch {
            job.round = consume round
            return reject("\(error)")
        }
        round.contributions.append(Contribution(cluster: update.cluster, examples: update.examples, loss: update.loss, lateFromRound: update.round, updateEventID: eventID))
        job.round = consume round
        job.lastClosed = ClosedRound(number: closed.number, participants: closed.participants, answered: closed.answered.union([update.cluster]))
        return []
    }
}
