import Foundation

/// OCM `PlacementSpec` (cluster.open-cluster-management.io/v1beta1), with its exact field names.
/// Fields Flotilla does not implement (`decisionStrategy`, `spreadPolicy`) are skipped by the
/// Codable decoding, and refused as unknown by `JobDocument.parse`, which is strict.
public struct PlacementSpec: Codable, Sendable, Hashable {
    /// The cluster sets to choose from. Flotilla has no ManagedClusterSetBindings, so every
    /// named set counts as bound; nil or empty means the `global` set (every cluster).
    public var clusterSets: [String]?
    /// How many clusters to select; nil selects every feasible cluster.
    public var numberOfClusters: Int32?
    /// OR-ed; nil or empty selects every candidate.
    public var predicates: [ClusterPredicate]?
    public var prioritizerPolicy: PrioritizerPolicy?
    public var tolerations: [Toleration]?

    public init(
        clusterSets: [String]? = nil,
        numberOfClusters: Int32? = nil,
        predicates: [ClusterPredicate]? = nil,
        prioritizerPolicy: PrioritizerPolicy? = nil,
        tolerations: [Toleration]? = nil
    ) {
        self.clusterSets = clusterSets
        self.numberOfClusters = numberOfClusters
        self.predicates = predicates
        self.prioritizerPolicy = prioritizerPolicy
        self.tolerations = tolerations
    }
}
