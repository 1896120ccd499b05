import Foundation
@testable import Placement
import Shared

/// OCM `Steady`: 100 for a cluster already in this placement's decision, 0 otherwise.
struct ReferenceSteadyPrioritizer: ReferencePrioritizer {
    var name: String { BuiltInPrioritizer.steady.rawValue }

    func scores(clusters: [ManagedCluster], feasible: [Int], context: SchedulingContext) -> [Int] {
        let current = context.currentDecision
        if current.isEmpty { return Array(repeating: 0, count: feasible.count) }
        return feasible.map { current.contains(clusters[$0].name) ? Self.maxScore : 0 }
    }
}
