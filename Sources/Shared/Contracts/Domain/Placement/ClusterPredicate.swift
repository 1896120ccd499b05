import Foundation

/// One entry of `PlacementSpec.predicates`; entries are OR-ed.
public struct ClusterPredicate: Codable, Sendable, Hashable {
    public var requiredClusterSelector: ClusterSelector?

    public init(requiredClusterSelector: ClusterSelector? = nil) {
        self.requiredClusterSelector = requiredClusterSelector
    }
}

/// `requiredClusterSelector`: the label selector and the claim selector are AND-ed.
/// (OCM's `celSelector` is not supported: `JobDocument.parse` refuses it as an unknown field.)
public struct ClusterSelector: Codable, Sendable, Hashable {
    public var labelSelector: LabelSelector?
    public var claimSelector: ClusterClaimSelector?

    public init(labelSelector: LabelSelector? = nil, claimSelector: ClusterClaimSelector? = nil) {
        self.labelSelector = labelSelector
        self.claimSelector = claimSelector
    }
}
