import Foundation
import Shared

/// Placement's state machine: knows the fleet and the jobs, decides each job's clusters and
/// re-decides a waiting job whenever the fleet changes. Returns the decisions to publish;
/// a decision is published only when it differs from the job's last one.
public struct PlacementCoordinator: Sendable {
    struct TrackedJob: Sendable {
        var job: FederatedLearningJob
        var phase: JobPhase
        var last: PlacementDecided?
    }

    public private(set) var clusters: [String: ManagedCluster] = [:]
    private var jobs: [String: TrackedJob] = [:]
    private let scheduler = PlacementScheduler()

    public init() {}

    public mutating func jobSubmitted(_ submitted: JobSubmitted, now: Date) -> [PlacementDecided] {
        guard jobs[submitted.job.id] == nil else { return [] }  // a duplicate submission changes nothing
        jobs[submitted.job.id] = TrackedJob(job: submitted.job, phase: .waiting)
        return decide(submitted.job.id, now: now).map { [$0] } ?? []
    }

    public mutating func phaseChanged(_ change: JobPhaseChanged) {
        guard let tracked = jobs[change.jobID], tracked.phase.canMove(to: change.phase) else { return }
        jobs[change.jobID]?.phase = change.phase
    }

    public mutating func clusterChanged(_ cluster: ManagedCluster, now: Date) -> [PlacementDecided] {
        clusters[cluster.name] = cluster
        return redecideWaitingJobs(now: now)
    }

    public mutating func clusterRemoved(_ name: String, now: Date) -> [PlacementDecided] {
        guard clusters.removeValue(forKey: name) != nil else { return [] }
        return redecideWaitingJobs(now: now)
    }

    /// Jobs that have not started are re-evaluated on every fleet change. (Replacing clusters
    /// of running jobs comes with liveness; see the placement README.)
    private mutating func redecideWaitingJobs(now: Date) -> [PlacementDecided] {
        jobs.keys.sorted().filter { jobs[$0]?.phase == .waiting }.compactMap { decide($0, now: now) }
    }

    private mutating func decide(_ jobID: String, now: Date) -> PlacementDecided? {
        guard let tracked = jobs[jobID] else { return nil }
        let spec = tracked.job.spec
        let context = SchedulingContext(
            now: now,
            currentDecision: Set(tracked.last?.decision.selected ?? []),
            otherPlacementDecisions: selectionCounts(excluding: jobID)
        )
        let decision = scheduler.schedule(spec.client.placement, clusters: Array(clusters.values), context: context)
        let minimum = spec.server.minAvailableClients
        let sufficient = decision.selected.count >= minimum
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
        guard let cluster = clusters[clusterName] else { return nil }
        for predicate in placement.predicates ?? [] {
            let requirements: [SelectorRequirement] = predicate.requiredClusterSelector?.claimSelector?.matchExpressions ?? []
            for requirement in requirements where requirement.operator == .exists || requirement.operator == .in {
                if let value = cluster.claims[requirement.key] { return value }
            }
        }
        return nil
    }
}
