import Foundation
import Shared

/// OCM `Balance`: 100 for a cluster no other placement selected; otherwise
/// `2 * trunc(100 * (0.5 - count / maxCount))`, where `maxCount` is the largest count over
/// every cluster other placements selected (not only the feasible ones). The truncation toward
/// zero happens before doubling, as in OCM, so scores are even numbers in [-100, 100].
struct BalancePrioritizer: PlacementPrioritizer {
    var name: String { BuiltInPrioritizer.balance.rawValue }

    func scores(_ input: ScoringInput) -> [Int] {
        let counts = input.context.otherPlacementDecisions
        let maxCount = counts.values.max() ?? 0
        if maxCount <= 0 { return Array(repeating: Self.maxScore, count: input.feasible.count) }
        let bySlot = input.fleet.slotCounts(from: counts)
        return input.feasible.map { slot in
            let count = bySlot[Int(slot)]
            return count > 0 ? Self.score(count: count, maxCount: maxCount) : Self.maxScore
        }
    }

    static func score(count: Int, maxCount: Int) -> Int {
        let usage = Double(count) / Double(maxCount)
        return 2 * Int(Double(maxScore) * (0.5 - usage))
    }
}
