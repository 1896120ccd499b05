import Foundation
import Shared

/// Rebuilding placement from the log at start: jobs (submissions, phases, unresponsive
/// clusters), the fleet, and placement's own logged decisions. Restoring records what happened
/// and decides nothing; ``finishRestore(now:)`` then re-decides every live job once.
extension PlacementCoordinator {
    /// A submission read back: the job waits since its event time (so its wait timeout still
    /// counts from the submission), with its last logged decision if that was read first.
    public mutating func restore(_ submitted: JobSubmitted, at time: Date) {
        guard jobs[submitted.job.id] == nil else { return }
        jobs[submitted.job.id] = TrackedJob(
            job: submitted.job, phase: .waiting, submittedAt: time, last: restoredDecisions.removeValue(forKey: submitted.job.id)
        )
    }

    /// Unresponsive clusters read back: excluded again, without deciding.
    public mutating func restore(_ request: MoreClientsRequested) {
        _ = exclude(request)
    }

    public mutating func restore(_ cluster: ManagedCluster) {
        fleet.upsert(cluster)
    }

    public mutating func restoreRemoval(of name: String) {
        _ = fleet.remove(named: name)
    }

    /// One of placement's own decisions read back: the job's last decision is the one with the
    /// highest generation, so generations continue and `Steady` keeps its selection.
    public mutating func restore(_ decided: PlacementDecided) {
        if let tracked = jobs[decided.jobID] {
            if decided.generation > tracked.last?.generation ?? 0 { jobs[decided.jobID]?.last = decided }
        } else if decided.generation > restoredDecisions[decided.jobID]?.generation ?? 0 {
            restoredDecisions[decided.jobID] = decided  // its submission is read later (another topic)
        }
    }

    /// After the replay: every live job is decided once against the rebuilt fleet. Returns only
    /// the decisions that differ from the job's last logged one (e.g. a selected cluster died
    /// while placement was down, or a job was submitted then).
    public mutating func finishRestore(now: Date) -> [PlacementDecided] {
        restoredDecisions = [:]
        return redecideLiveJobs(now: now)
    }
}
