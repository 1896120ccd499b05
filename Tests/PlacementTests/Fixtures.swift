import Foundation
import Placement
import Shared

/// Builders for placement test fixtures (in the spirit of OCM's `helpers/testing/builders.go`).
enum Fixtures {
    static let t0 = Date(timeIntervalSince1970: 1_700_000_000)

    static func cluster(
        _ name: String,
        set: String? = nil,
        labels: [String: String] = [:],
        claims: [String: String] = [:],
        cpuMillicores: Int64 = 4000,
        memoryBytes: Int64 = 8 << 30,
        scores: [String: Int] = [:],
        taints: [Taint] = []
    ) -> ManagedCluster {
        var labels = labels
        if let set { labels[ManagedCluster.clusterSetLabel] = set }
        return ManagedCluster(
            name: name,
            labels: labels,
            claims: claims,
            resources: ClusterResources(cpuMillicores: cpuMillicores, memoryBytes: memoryBytes, gpus: 0),
            scores: scores,
            taints: taints
        )
    }

    static func schedule(
        _ spec: PlacementSpec,
        _ clusters: [ManagedCluster],
        now: Date = t0,
        current: Set<String> = [],
        others: [String: Int] = [:],
        bound: Set<String>? = nil
    ) -> PlacementDecision {
        PlacementScheduler().schedule(
            spec,
            clusters: clusters,
            context: SchedulingContext(now: now, currentDecision: current, otherPlacementDecisions: others, boundClusterSets: bound)
        )
    }

    static func labelPredicate(
        matchLabels: [String: String]? = nil,
        expressions: [SelectorRequirement]? = nil
    ) -> ClusterPredicate {
        ClusterPredicate(requiredClusterSelector: ClusterSelector(
            labelSelector: LabelSelector(matchLabels: matchLabels, matchExpressions: expressions)
        ))
    }

    static func claimPredicate(_ expressions: [SelectorRequirement]) -> ClusterPredicate {
        ClusterPredicate(requiredClusterSelector: ClusterSelector(
            claimSelector: ClusterClaimSelector(matchExpressions: expressions)
        ))
    }

    /// `Exact` mode with the given coordinates and weights: only these prioritizers run.
    static func exact(_ configs: [(ScoreCoordinate, Int32?)]) -> PrioritizerPolicy {
        PrioritizerPolicy(mode: .exact, configurations: configs.map { PrioritizerConfig(scoreCoordinate: $0.0, weight: $0.1) })
    }

    /// Scores one prioritizer alone (Exact mode, weight 1) and returns cluster → score.
    static func scoresOf(
        _ coordinate: ScoreCoordinate,
        _ clusters: [ManagedCluster],
        current: Set<String> = [],
        others: [String: Int] = [:]
    ) -> [String: Int] {
        let decision = schedule(
            PlacementSpec(prioritizerPolicy: exact([(coordinate, 1)])), clusters, current: current, others: others
        )
        var result: [String: Int] = [:]
        for explanation in decision.explanations {
            if let score = explanation.scores.first { result[explanation.cluster] = score.score }
        }
        return result
    }
}
