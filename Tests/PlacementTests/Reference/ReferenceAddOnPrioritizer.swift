import Foundation
@testable import Placement
import Shared

/// OCM `AddOn` prioritizer: the score a cluster publishes for `resourceName/scoreName`
/// (see `ManagedCluster.addOnScore(resourceName:scoreName:)`); 0 when missing, clamped to [-100, 100].
struct ReferenceAddOnPrioritizer: ReferencePrioritizer {
    let resourceName: String
    let scoreName: String
    let name: String
    private let qualifiedKey: String

    init(resourceName: String, scoreName: String) {
        self.resourceName = resourceName
        self.scoreName = scoreName
        self.name = "AddOn/\(resourceName)/\(scoreName)"
        self.qualifiedKey = ManagedCluster.scoreKey(resourceName: resourceName, scoreName: scoreName)
    }

    func scores(clusters: [ManagedCluster], feasible: [Int], context: SchedulingContext) -> [Int] {
        feasible.map { index in
            let scores = clusters[index].scores
            if scores.isEmpty { return 0 }
            let value = scores.referenceScanLookup(qualifiedKey) ?? scores.referenceScanLookup(scoreName) ?? 0
            return min(max(value, Self.minScore), Self.maxScore)
        }
    }
}
