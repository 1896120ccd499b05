import Foundation
import Shared

/// OCM `AddOn` prioritizer: the score a cluster publishes for `resourceName/scoreName`
/// (see `ManagedCluster.addOnScore(resourceName:scoreName:)`); 0 when missing, clamped to [-100, 100].
struct AddOnPrioritizer: PlacementPrioritizer {
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

    func scores(_ input: ScoringInput) -> [Int] {
        let fleet = input.fleet
        let qualified = fleet.scoreKey(qualifiedKey)
        let bare = fleet.scoreKey(scoreName)
        return fleet.scores.withUnsafeBufferPointer { pool in
            input.feasible.map { slot in
                let range = fleet.scoreRanges[Int(slot)]
                let entries = UnsafeBufferPointer(rebasing: pool[Int(range.start)..<Int(range.start) + Int(range.count)])
                let value = FleetIndex.ScoreEntry.lookup(qualified, in: entries) ?? FleetIndex.ScoreEntry.lookup(bare, in: entries) ?? 0
                return min(max(value, Self.minScore), Self.maxScore)
            }
        }
    }
}
