import Foundation
@testable import Placement
import Shared

/// OCM `Balance`: 100 for a cluster no other placement selected; otherwise
/// `2 * trunc(100 * (0.5 - count / maxCount))`, where `maxCount` is the largest count over
/// every cluster other placements selected (not only the feasible ones). The truncation toward
/// zero happens before doubling, as in OCM, so scores are even numbers in [-100, 100].
struct ReferenceBalancePrioritizer: ReferencePrioritizer {
    var name: String { BuiltInPrioritizer.balance.rawValue }

    func scores(clusters: [ManagedCluster], feasible: [Int], context: SchedulingContext) -> [Int] {
        let counts = context.otherPlacementDecisions
        let maxCount = counts.values.max() ?? 0
        if maxCount <= 0 { return Array(repeating: Self.maxScore, count: feasible.count) }
        return feasible.map { index in
            guard let count = counts[clusters[index].name], count > 0 else { return Self.maxScore }
            return Self.score(count: count, maxCount: maxCount)
        }
    }

    static func score(count: Int, maxCount: Int) -> Int {
        let usage = Double(count) / Double(maxCount)
        return 2 * Int(Double(maxScore) * (0.5 - usage))
    }
}
