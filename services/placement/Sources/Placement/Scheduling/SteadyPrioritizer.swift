import Foundation
import Shared

/// OCM `Steady`: 100 for a cluster already in this placement's decision, 0 otherwise.
struct SteadyPrioritizer: PlacementPrioritizer {
    var name: String { BuiltInPrioritizer.steady.rawValue }

    func scores(_ input: ScoringInput) -> [Int] {
        input.feasible.map { input.inDecision[Int($0)] ? Self.maxScore : 0 }
    }
}
