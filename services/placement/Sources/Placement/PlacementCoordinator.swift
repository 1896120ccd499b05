import Foundation
import Shared

/// Placement's state machine: knows the fleet and the jobs, decides each job's clusters and
/// re-decides a waiting job whenever the fleet changes. Returns the decisions to publish;
/// a decision is published only when it differs from the job's last one.
public struct PlacementCoordinator: Sendable {
    struct TrackedJob: Sendable {
        var job: FederatedLearningJob
        var phase: JobPhase
        var submittedAt: Date
        var last: PlacementDecided?
        /// When a toleration in the last decision runs out, so the job is re-evaluated then.
        var requeueAt: Date?
        /// Clusters the aggregator reported unresponsive for this job, with the reason.
        var excluded: [String: String] = [:]
    }

    /// What placement publishes: decisions, and the failure of a job that waited too long.
    public enum Output: Sendable, Hashable {
        case decided(PlacementDecided)
        case timedOut(JobPhaseChanged)
    }

    /// The registered clusters, indexed as the scheduler reads them. Kept up to date per fleet
    /// event so a decision does not rebuild anything from the clusters.
    public internal(set) var fleet = FleetIndex()
    var jobs: [String: TrackedJob] = [:]
    /// Logged decisions read back before their job's submission, attached when it is restored.
    var restoredDecisions: [String: PlacementDecided] = [:]
    private let scheduler = PlacementScheduler()

    public init() {}

    public mutating func jobSubmitted(_ submitted: JobSubmitted, now: Date) -> [PlacementDecided] {
        guard jobs[submitted.job.id] == nil else { return [] }  // a duplicate submission changes nothing
        jobs[submitted.job.id] = TrackedJob(job: submitted.job, phase: .waiting, submittedAt: now)
        return decide(submitted.job.id, now: now).map { [$0] } ?? []
    }

    public mutating func phaseChanged(_ change: JobPhaseChanged) {
        guard let tracked = jobs[change.jobID], tracked.phase.canMove(to: change.phase) else { return }
        jobs[change.jobID]?.phase = change.phase
    }

    /// Some selected clusters did not answer a round: never select them for this job again,
    /// and re-decide, so the next best candidates replace them.
    public mutating func moreClientsRequested(_ request: MoreClientsRequested, now: Date) -> [PlacementDecided] {
        guard exclude(request) else { return [] }
        return decide(request.jobID, now: now).map { [$0] } ?? []
    }

    /// Records the clusters a running job must not select again; false if the job is not running.
    mutating func exclude(_ request: MoreClientsRequested) -> Bool {
        guard let tracked = jobs[request.jobID], tracked.phase == .running else { return false }
        for cluster in request.unresponsive where tracked.excluded[cluster] == nil {
            jobs[request.jobID]?.excluded[cluster] = "sent no update for round \(request.round) by its deadline"
        }
        return true
    }

    public mutating func clusterChanged(_ cluster: ManagedCluster, now: Date) -> [PlacementDecided] {
        fleet.upsert(cluster)
        return redecideLiveJobs(now: now)
    }

    public mutating func clusterRemoved(_ name: String, now: Date) -> [PlacementDecided] {
        guard fleet.remove(named: name) != nil else { return [] }
        return redecideLiveJobs(now: now)
    }

    /// Every live job is re-evaluated on each fleet change: a waiting job may now have enough
    /// clusters; a running job loses a cluster that became unavailable (past its toleration) or
    /// withdrew its claim, and gets the next best candidate (`Steady` keeps the others).
    mutating func redecideLiveJobs(now: Date) -> [PlacementDecided] {
        jobs.keys.sorted().filter { jobs[$0].map { !$0.phase.isTerminal } ?? false }.compactMap { decide($0, now: now) }
    }

    /// Called on a timer: re-evaluates jobs whose toleration ran out, and fails waiting jobs
    /// whose wait timeout passed ("expected N, only M after T s").
    public mutating func timePassed(now: Date) -> [Output] {
        var outputs: [Output] = []
        for id in jobs.keys.sorted() {
            guard let tracked = jobs[id], !tracked.phase.isTerminal else { continue }
            if tracked.phase == .waiting, let timeout = tracked.job.spec.server.waitTimeoutSeconds,
               now.timeIntervalSince(tracked.submittedAt) >= TimeInterval(timeout) {
                jobs[id]?.phase = .failed
                let selected = tracked.last?.decision.selected.count ?? 0
                outputs.append(.timedOut(JobPhaseChanged(
                    jobID: id, phase: .failed, previous: .waiting, reason: "PlacementTimeout",
                    message: "expected \(tracked.job.spec.server.minAvailableClients), only \(selected) after \(timeout) s"
                )))
            } else if let due = tracked.requeueAt, due <= now, let decided = decide(id, now: now) {
                outputs.append(.decided(decided))
            }
        }
        return outputs
    }

    private mutating func decide(_ jobID: String, now: Date) -> PlacementDecided? {
        guard let tracked = jobs[jobID] else { return nil }
        let spec = tracked.job.spec
        var context = SchedulingContext(
            now: now,
            currentDecision: Set(tracked.last?.decision.selected ?? []),
            otherPlacementDecisions: selectionCounts(excluding: jobID)
        )
        context.excluded = tracked.excluded
        let decision = scheduler.schedule(spec.client.placement, fleet: fleet, context: context)
        let minimum = spec.server.minAvailableClients
        let sufficient = decision.selected.count >= minimum
        jobs[jobID]?.requeueAt = decision.requeueAfter.map { now.addingTimeInterval($0) }
        if let last = tracked.last, last.decision.selected == decision.selected, last.sufficient == sufficient {
            return nil
        }
        let message = sufficient
            ? "selected \(decision.selected.count) clusters: \(decision.selected.joined(separator: ", "))"
            : "expected \(minimum), only \(decision.selected.count)"
        let decided = PlacementDecided(
            jobID: jobID, generation: (tracked.last?.generation ?? 0) + 1, decision: decision,
            participants: decision.selected.map { Participant(cluster: $0, dataPath: dataPath(of: $0, for: spec.client.placement)) },
            minAvailableClients: minimum, sufficient: sufficient, message: message
        )
        jobs[jobID]?.last = decided
        return decided
    }

    /// How many other live jobs selected each cluster (the `Balance` prioritizer's input).
    private func selectionCounts(excluding jobID: String) -> [String: Int] {
        var counts: [String: Int] = [:]
        for (id, tracked) in jobs where id != jobID && !tracked.phase.isTerminal {
            for cluster in tracked.last?.decision.selected ?? [] { counts[cluster, default: 0] += 1 }
        }
        return counts
    }

    /// The value of the first claim the placement selects on that the cluster holds: OCM
    /// hands that value (the data path) to the cluster's client.
    func dataPath(of clusterName: String, for placement: PlacementSpec) -> String? {
        guard let cluster = fleet[clusterName] else { return nil }
        for predicate in placement.predicates ?? [] {
            let requirements: [SelectorRequirement] = predicate.requiredClusterSelector?.claimSelector?.matchExpressions ?? []
            for requirement in requirements where requirement.operator == .exists || requirement.operator == .in {
                if let value = cluster.claims[requirement.key] { return value }
            }
        }
        return nil
    }
}
