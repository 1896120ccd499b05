import Foundation
import Shared

/// The pure placement scheduler: OCM's filter and prioritizer pipeline as one deterministic
/// function of the spec, the clusters and the context. No I/O, no clock of its own.
///
/// Pipeline: cluster sets → predicates → taints/tolerations (first filter that rejects a cluster
/// is reported), then the enabled prioritizers score the feasible clusters, the total is
/// `sum(score * weight)`, clusters are ranked by total descending then name ascending, and the
/// first `numberOfClusters` (all when unset) are selected.
///
/// Expects a spec for which `validate(at:)` returned no errors.
public struct PlacementScheduler: Sendable {
    public init() {}

    /// Schedules over an array of clusters by indexing it first (O(n) work on top of the
    /// decision). A service that decides repeatedly should keep a `FleetIndex` instead.
    /// Every array entry is reported, as always, even entries that repeat a name.
    public func schedule(_ spec: PlacementSpec, clusters: [ManagedCluster], context: SchedulingContext) -> PlacementDecision {
        schedule(spec, fleet: FleetIndex(snapshot: clusters), context: context)
    }

    public func schedule(_ spec: PlacementSpec, fleet: FleetIndex, context: SchedulingContext) -> PlacementDecision {
        // The spec is compiled against the fleet's interned strings once per decision.
        let clusterSets = ClusterSetFilter(clusterSets: spec.clusterSets, boundClusterSets: context.boundClusterSets, fleet: fleet)
        let predicates = PredicateFilter(spec.predicates, fleet: fleet)
        let taints = TaintTolerationFilter(tolerations: spec.tolerations, now: context.now)
        let plan = PrioritizerPlan(spec.prioritizerPolicy)
        let inDecision = fleet.slotFlags(forNames: context.currentDecision)
        let isExcluded = context.excluded.isEmpty ? nil : fleet.slotFlags(forNames: Set(context.excluded.keys))

        // Work in name order; explanations are reported in it and it breaks ties in the ranking.
        let order = fleet.order
        var outcomes: [Outcome] = []
        outcomes.reserveCapacity(order.count)
        var feasible: [Int32] = []
        feasible.reserveCapacity(order.count)
        var candidates = 0
        var earliestExpiry: Date?
        fleet.attributes.withUnsafeBufferPointer { pool in
            for slot in order {
                let row = Int(slot)
                let attributes = AttributeView(pool, fleet.attributeRanges[row])
                if case .filtered(let reason) = clusterSets.evaluate(attributes) {
                    outcomes.append(.filtered(by: ClusterSetFilter.name, reason: reason))
                    continue
                }
                candidates += 1
                if case .filtered(let reason) = predicates.evaluate(attributes) {
                    outcomes.append(.filtered(by: PredicateFilter.name, reason: reason))
                    continue
                }
                if let isExcluded, isExcluded[row] {
                    outcomes.append(.filtered(by: ClusterExplanation.unresponsiveFilter, reason: context.excluded[fleet.names[row]] ?? "excluded"))
                    continue
                }
                switch taints.evaluate(inDecision: inDecision[row], taints: fleet.taints[row]) {
                case .filtered(let reason):
                    outcomes.append(.filtered(by: TaintTolerationFilter.name, reason: reason))
                case .pass(let until):
                    if let until, earliestExpiry.map({ until < $0 }) ?? true { earliestExpiry = until }
                    outcomes.append(.feasible(position: feasible.count))
                    feasible.append(slot)
                }
            }
        }

        // Score: one array per prioritizer, aligned with `feasible`.
        let input = ScoringInput(fleet: fleet, feasible: feasible, context: context, inDecision: inDecision)
        let scoreTable = plan.entries.map { $0.prioritizer.scores(input) }
        var totals = [Int](repeating: 0, count: feasible.count)
        for (entry, scores) in zip(plan.entries, scoreTable) {
            let weight = entry.weight
            for position in totals.indices { totals[position] &+= scores[position] &* weight }
        }

        // Rank: total descending, then name ascending (= position ascending, as `feasible` is in name order).
        let ranking = Self.ranking(totals)
        let wanted = spec.numberOfClusters.map { max(0, Int($0)) }
        let chosen = ranking.prefix(wanted ?? ranking.count)
        var isSelected = [Bool](repeating: false, count: feasible.count)
        for position in chosen { isSelected[position] = true }

        let names = plan.entries.map(\.prioritizer.name)
        let weights = plan.entries.map(\.weight)
        var explanations: [ClusterExplanation] = []
        explanations.reserveCapacity(order.count)
        for (slot, outcome) in zip(order, outcomes) {
            let cluster = fleet.names[Int(slot)]
            switch outcome {
            case .filtered(let filter, let reason):
                explanations.append(ClusterExplanation(cluster: cluster, filteredBy: filter, filterReason: reason))
            case .feasible(let position):
                var scores: [PrioritizerScore] = []
                scores.reserveCapacity(names.count)
                for entry in names.indices {
                    scores.append(PrioritizerScore(name: names[entry], score: scoreTable[entry][position], weight: weights[entry]))
                }
                explanations.append(ClusterExplanation(
                    cluster: cluster, scores: scores, total: totals[position], selected: isSelected[position]
                ))
            }
        }

        return PlacementDecision(
            selected: chosen.map { fleet.names[Int(feasible[$0])] },
            condition: Self.condition(
                spec: spec, clusterSets: clusterSets, candidates: candidates,
                feasible: feasible.count, selected: chosen.count, wanted: wanted
            ),
            explanations: explanations,
            requeueAfter: earliestExpiry.map { $0.timeIntervalSince(context.now) }
        )
    }

    /// Positions by total descending, then position ascending. Totals that fit in 32 bits (all
    /// real ones: scores are within ±100 and weights ±10) are sorted as one packed integer each,
    /// several times faster than comparing through a closure.
    static func ranking(_ totals: [Int]) -> [Int] {
        guard let low = totals.min(), let high = totals.max(), low >= Int(Int32.min), high <= Int(Int32.max),
              totals.count <= Int(UInt32.max) else {
            return totals.indices.sorted { totals[$0] != totals[$1] ? totals[$0] > totals[$1] : $0 < $1 }
        }
        var keys = totals.enumerated().map { position, total in
            // Flipping the sign bit orders signed values as unsigned; inverting makes it descending.
            let descending = ~(UInt32(bitPattern: Int32(total)) ^ 0x8000_0000)
            return UInt64(descending) << 32 | UInt64(position)
        }
        keys.sort()
        return keys.map { Int($0 & 0xFFFF_FFFF) }
    }

    private enum Outcome {
        case filtered(by: String, reason: String)
        case feasible(position: Int)
    }
}
