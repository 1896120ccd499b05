import Foundation

/// A managed cluster as the placement scheduler sees it: labels, claims, allocatable
/// resources, published add-on scores and taints.
public struct ManagedCluster: Codable, Sendable, Hashable {
    /// The label that puts a cluster in a ManagedClusterSet (`global` holds every cluster).
    public static let clusterSetLabel = "cluster.open-cluster-management.io/clusterset"
    /// The set that holds every cluster regardless of labels.
    public static let globalClusterSet = "global"
    /// The set of every cluster without a clusterset label (OCM's `DefaultClusterSet`).
    public static let defaultClusterSet = "default"

    public var name: String
    public var labels: [String: String]
    /// ClusterClaims: name → value (e.g. `federated-learning-sample.client-data` → a data path).
    public var claims: [String: String]
    public var resources: ClusterResources
    /// Add-on scores in [-100, 100]. Keyed by `"resourceName/scoreName"`
    /// (see `scoreKey(resourceName:scoreName:)`); a score published under the bare
    /// `scoreName` is used when the qualified key is absent.
    public var scores: [String: Int]
    public var taints: [Taint]

    public init(
        name: String,
        labels: [String: String] = [:],
        claims: [String: String] = [:],
        resources: ClusterResources = ClusterResources(),
        scores: [String: Int] = [:],
        taints: [Taint] = []
    ) {
        self.name = name
        self.labels = labels
        self.claims = claims
        self.resources = resources
        self.scores = scores
        self.taints = taints
    }

    /// The key under which an add-on score is stored in `scores`.
    public static func scoreKey(resourceName: String, scoreName: String) -> String {
        "\(resourceName)/\(scoreName)"
    }

    /// The published add-on score, qualified key first, then the bare score name; nil if missing.
    public func addOnScore(resourceName: String, scoreName: String) -> Int? {
        scores[Self.scoreKey(resourceName: resourceName, scoreName: scoreName)] ?? scores[scoreName]
    }

    /// The cluster set this cluster's label puts it in; `default` when it has no such label.
    public var clusterSet: String {
        guard let set = labels[Self.clusterSetLabel], !set.isEmpty else { return Self.defaultClusterSet }
        return set
    }
}
