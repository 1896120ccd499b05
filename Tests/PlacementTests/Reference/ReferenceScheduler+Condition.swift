import Foundation
@testable import Placement
import Shared

extension ReferenceScheduler {
    /// OCM's `newSatisfiedCondition`, checked in the same order.
    static func condition(
        spec: PlacementSpec,
        clusterSets: ReferenceClusterSetFilter,
        candidates: Int,
        feasible: Int,
        selected: Int,
        wanted: Int?
    ) -> PlacementCondition {
        let unscheduled = wanted.map { $0 - selected } ?? 0
        if !clusterSets.hasBindings {
            return PlacementCondition(
                satisfied: false, reason: .noManagedClusterSetBindings,
                message: "No valid ManagedClusterSetBindings found in placement namespace"
            )
        }
        if clusterSets.eligibleSets.isEmpty {
            let requested = (spec.clusterSets ?? []).joined(separator: ",")
            return PlacementCondition(
                satisfied: false, reason: .noIntersection,
                message: "None of ManagedClusterSets [\(requested)] is bound to placement namespace"
            )
        }
        if candidates == 0 {
            return PlacementCondition(
                satisfied: false, reason: .allManagedClusterSetsEmpty,
                message: "All ManagedClusterSets [\(clusterSets.eligibleSets.joined(separator: ","))] have no member ManagedCluster"
            )
        }
        if feasible == 0 {
            return PlacementCondition(
                satisfied: false, reason: .noManagedClusterMatched,
                message: "No ManagedCluster matches any of the cluster predicate"
            )
        }
        if unscheduled <= 0 {
            return PlacementCondition(
                satisfied: true, reason: .allDecisionsScheduled,
                message: "All cluster decisions scheduled (\(selected) selected)"
            )
        }
        return PlacementCondition(
            satisfied: false, reason: .notAllDecisionsScheduled,
            message: "\(unscheduled) cluster decisions unscheduled: expected \(wanted ?? selected), only \(selected)"
        )
    }
}
