import Foundation
@testable import Placement
import Shared

/// The scheduler as it was before `FleetIndex`, kept word for word (types renamed) as the
/// oracle the index path is checked against: it reads `[String: String]` dictionaries directly,
/// so it shares no lookup, interning or ordering code with the production path.
///
/// The pure placement scheduler: OCM's filter and prioritizer pipeline as one deterministic
/// function of the spec, the clusters and the context. No I/O, no clock of its own.
///
/// Pipeline: cluster sets → predicates → taints/tolerations (first filter that rejects a cluster
/// is reported), then the enabled prioritizers score the feasible clusters, the total is
/// `sum(score * weight)`, clusters are ranked by total descending then name ascending, and the
/// first `numberOfClusters` (all when unset) are selected.
///
/// Expects a spec for which `validate(at:)` returned no errors.
struct ReferenceScheduler: Sendable {
    init() {}

    func schedule(_ spec: PlacementSpec, clusters: [ManagedCluster], context: SchedulingContext) -> PlacementDecision {
        let clusterSets = ReferenceClusterSetFilter(clusterSets: spec.clusterSets, boundClusterSets: context.boundClusterSets)
        let predicates = ReferencePredicateFilter(spec.predicates)
        let taints = ReferenceTaintTolerationFilter(tolerations: spec.tolerations, now: context.now, currentDecision: context.currentDecision)
        let plan = ReferencePrioritizerPlan(spec.prioritizerPolicy)

        // Work in name order; explanations are reported in it and it breaks ties in the ranking.
        let order = Self.nameOrder(of: clusters)

        var outcomes: [Outcome] = []
        outcomes.reserveCapacity(order.count)
        var feasible: [Int] = []
        feasible.reserveCapacity(order.count)
        var candidates = 0
        var earliestExpiry: Date?
        clusters.withUnsafeBufferPointer { clusters in
            for index in order {
                if case .filtered(let reason) = clusterSets.evaluate(labels: clusters[index].labels) {
                    outcomes.append(.filtered(by: ReferenceClusterSetFilter.name, reason: reason))
                    continue
                }
                candidates += 1
                if case .filtered(let reason) = predicates.evaluate(labels: clusters[index].labels, claims: clusters[index].claims) {
                    outcomes.append(.filtered(by: ReferencePredicateFilter.name, reason: reason))
                    continue
                }
                switch taints.evaluate(name: clusters[index].name, taints: clusters[index].taints) {
                case .filtered(let reason):
                    outcomes.append(.filtered(by: ReferenceTaintTolerationFilter.name, reason: reason))
                case .pass(let until):
                    if let until, earliestExpiry.map({ until < $0 }) ?? true { earliestExpiry = until }
                    outcomes.append(.feasible(position: feasible.count))
                    feasible.append(index)
                }
            }
        }

        // Score: one array per prioritizer, aligned with `feasible`.
        let scoreTable = plan.entries.map { entry in
            entry.prioritizer.scores(clusters: clusters, feasible: feasible, context: context)
        }
        var totals = [Int](repeating: 0, count: feasible.count)
        for (entry, scores) in zip(plan.entries, scoreTable) {
            let weight = entry.weight
            for position in totals.indices { totals[position] &+= scores[position] &* weight }
        }

        // Rank: total descending, then name ascending (= position ascending, as `feasible` is in name order).
        var ranking = Array(feasible.indices)
        ranking.sort { totals[$0] != totals[$1] ? totals[$0] > totals[$1] : $0 < $1 }
        let wanted = spec.numberOfClusters.map { max(0, Int($0)) }
        let chosen = ranking.prefix(wanted ?? ranking.count)
        var isSelected = [Bool](repeating: false, count: feasible.count)
        for position in chosen { isSelected[position] = true }

        let names = plan.entries.map(\.prioritizer.name)
        let weights = plan.entries.map(\.weight)
        var explanations: [ClusterExplanation] = []
        explanations.reserveCapacity(order.count)
        for (index, outcome) in zip(order, outcomes) {
            switch outcome {
            case .filtered(let filter, let reason):
                explanations.append(ClusterExplanation(cluster: clusters[index].name, filteredBy: filter, filterReason: reason))
            case .feasible(let position):
                var scores: [PrioritizerScore] = []
                scores.reserveCapacity(names.count)
                for entry in names.indices {
                    scores.append(PrioritizerScore(name: names[entry], score: scoreTable[entry][position], weight: weights[entry]))
                }
                explanations.append(ClusterExplanation(
                    cluster: clusters[index].name, scores: scores, total: totals[position], selected: isSelected[position]
                ))
            }
        }

        return PlacementDecision(
            selected: chosen.map { clusters[feasible[$0]].name },
            condition: Self.condition(
                spec: spec, clusterSets: clusterSets, candidates: candidates,
                feasible: feasible.count, selected: chosen.count, wanted: wanted
            ),
            explanations: explanations,
            requeueAfter: earliestExpiry.map { $0.timeIntervalSince(context.now) }
        )
    }

    private enum Outcome {
        case filtered(by: String, reason: String)
        case feasible(position: Int)
    }

    /// Indices of `clusters` in name order.
    private static func nameOrder(of clusters: [ManagedCluster]) -> [Int] {
        NameOrder.indices(of: clusters.map { $0.name })
    }
}
