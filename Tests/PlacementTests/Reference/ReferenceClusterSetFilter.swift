import Foundation
@testable import Placement
import Shared

/// Candidate selection by cluster set (OCM: the sets in `clusterSets` intersected with the bound sets).
///
/// Membership is by the label `cluster.open-cluster-management.io/clusterset`; the `global` set
/// holds every cluster, and a cluster without the label (or with it empty) is in `default`. An empty `clusterSets` means every bound set, as in OCM; since Flotilla
/// binds every set by default, that is `global`.
struct ReferenceClusterSetFilter: ClusterFilter {
    static let name = ClusterExplanation.clusterSetsFilter

    /// The sets the candidates come from, sorted (OCM's "eligible cluster sets").
    let eligibleSets: [String]
    /// False when there are no bindings at all (OCM `NoManagedClusterSetBindings`).
    let hasBindings: Bool
    private let selectsAll: Bool
    private let members: Set<String>
    private let reason: String

    init(clusterSets: [String]?, boundClusterSets: Set<String>?) {
        let requested = Set(clusterSets ?? [])
        let eligible: Set<String>
        switch (requested.isEmpty, boundClusterSets) {
        case (true, nil): eligible = [ManagedCluster.globalClusterSet]
        case (true, let bound?): eligible = bound
        case (false, nil): eligible = requested
        case (false, let bound?): eligible = requested.intersection(bound)
        }
        hasBindings = boundClusterSets.map { !$0.isEmpty } ?? true
        eligibleSets = eligible.sorted()
        members = eligible
        selectsAll = eligible.contains(ManagedCluster.globalClusterSet)
        reason = "not a member of cluster sets [\(eligibleSets.joined(separator: ", "))]"
    }

    func evaluate(labels: [String: String]) -> FilterOutcome {
        if selectsAll { return .pass(until: nil) }
        let label = labels.referenceScanLookup(ManagedCluster.clusterSetLabel) ?? ""
        if members.contains(label.isEmpty ? ManagedCluster.defaultClusterSet : label) {
            return .pass(until: nil)
        }
        return .filtered(reason: reason)
    }
}
