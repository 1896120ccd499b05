import Foundation

/// Kubernetes `LabelSelector` over a cluster's labels: `matchLabels` and `matchExpressions` are AND-ed.
/// An empty selector matches every cluster.
public struct LabelSelector: Codable, Sendable, Hashable {
    public var matchLabels: [String: String]?
    public var matchExpressions: [SelectorRequirement]?

    public init(matchLabels: [String: String]? = nil, matchExpressions: [SelectorRequirement]? = nil) {
        self.matchLabels = matchLabels
        self.matchExpressions = matchExpressions
    }
}

/// OCM `ClusterClaimSelector` over a cluster's claims; its requirements are AND-ed.
/// An empty selector matches every cluster.
public struct ClusterClaimSelector: Codable, Sendable, Hashable {
    public var matchExpressions: [SelectorRequirement]?

    public init(matchExpressions: [SelectorRequirement]? = nil) {
        self.matchExpressions = matchExpressions
    }
}
