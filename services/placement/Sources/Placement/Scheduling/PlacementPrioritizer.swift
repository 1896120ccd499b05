import Foundation
import Shared

/// A prioritizer plugin (OCM `plugins.Prioritizer`): scores every feasible cluster in [-100, 100].
protocol PlacementPrioritizer: Sendable {
    /// The name reported in explanations: the built-in name or `AddOn/<resourceName>/<scoreName>`.
    var name: String { get }
    /// Scores for `input.feasible`, aligned with it.
    func scores(_ input: ScoringInput) -> [Int]
}

extension PlacementPrioritizer {
    static var maxScore: Int { 100 }
    static var minScore: Int { -100 }
}

/// What prioritizers read: the fleet, the feasible slots in name order, and the context.
struct ScoringInput {
    let fleet: FleetIndex
    /// Slots of `fleet`, in name order.
    let feasible: [Int32]
    let context: SchedulingContext
    /// Per slot: whether the cluster is in this placement's current decision.
    let inDecision: [Bool]
}
