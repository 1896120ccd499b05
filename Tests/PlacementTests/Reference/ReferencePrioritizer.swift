import Foundation
@testable import Placement
import Shared

/// A prioritizer plugin (OCM `plugins.Prioritizer`): scores every feasible cluster in [-100, 100].
protocol ReferencePrioritizer: Sendable {
    /// The name reported in explanations: the built-in name or `AddOn/<resourceName>/<scoreName>`.
    var name: String { get }
    /// Scores for `feasible` (indices into `clusters`), aligned with `feasible`.
    func scores(clusters: [ManagedCluster], feasible: [Int], context: SchedulingContext) -> [Int]
}

extension ReferencePrioritizer {
    static var maxScore: Int { 100 }
    static var minScore: Int { -100 }
}
