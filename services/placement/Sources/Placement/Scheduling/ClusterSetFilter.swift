import Foundation
import Shared

/// Candidate selection by cluster set (OCM: the sets in `clusterSets` intersected with the bound sets).
///
/// Membership is by the label `cluster.open-cluster-management.io/clusterset`; the `global` set
/// holds every cluster, and `default` every cluster without that label (OCM's
/// `DefaultClusterSet` feature, on by default, labels such clusters `default`). An empty `clusterSets` means every bound set, as in OCM; since Flotilla
/// binds every set by default, that is `global`.
struct ClusterSetFilter: ClusterFilter {
    static let name = ClusterExplanation.clusterSetsFilter

    /// The sets the candidates come from, sorted (OCM's "eligible cluster sets").
    let eligibleSets: [String]
    /// False when there are no bindings at all (OCM `NoManagedClusterSetBindings`).
    let hasBindings: Bool
    private let selectsAll: Bool
    /// Whether `default` is eligible, which holds the clusters without a set label.
    private let selectsUnlabelled: Bool
    /// The eligible sets' value ids, the membership label's key id, and the empty value's id, in `fleet`.
    private let members: [Int32]
    private let labelKey: UInt32
    private let emptyValue: Int32?
    private let reason: String

    init(clusterSets: [String]?, boundClusterSets: Set<String>?, fleet: FleetIndex) {
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
        members = eligible.compactMap { fleet.valueID($0) }
        labelKey = fleet.labelKey(ManagedCluster.clusterSetLabel)
        selectsAll = eligible.contains(ManagedCluster.globalClusterSet)
        selectsUnlabelled = eligible.contains(ManagedCluster.defaultClusterSet)
        emptyValue = fleet.valueID("")
        reason = "not a member of cluster sets [\(eligibleSets.joined(separator: ", "))]"
    }

    func evaluate(_ attributes: AttributeView) -> FilterOutcome {
        if selectsAll { return .pass(until: nil) }
        switch attributes.value(of: labelKey) {
        case let set? where set != emptyValue:
            if members.contains(set) { return .pass(until: nil) }
        default:
            if selectsUnlabelled { return .pass(until: nil) }
        }
        return .filtered(reason: reason)
    }
}
