import Foundation
import Shared

/// What the scheduler needs to know besides the spec and the clusters.
public struct SchedulingContext: Sendable, Hashable {
    /// The scheduling time; toleration expiry is measured against it.
    public var now: Date
    /// This placement's currently selected clusters (for `Steady` and `NoSelectIfNew`).
    public var currentDecision: Set<String>
    /// Cluster name → how many other placements selected it (for `Balance`).
    public var otherPlacementDecisions: [String: Int]
    /// The cluster sets bound to the placement's namespace. Flotilla has no
    /// ManagedClusterSetBindings, so the default (nil) means every set is bound.
    public var boundClusterSets: Set<String>?
    /// Clusters this placement must not select, with the reason (Flotilla: clusters that did
    /// not answer a round of the job). Not an OCM concept; empty for OCM semantics.
    public var excluded: [String: String] = [:]

    public init(
        now: Date,
        currentDecision: Set<String> = [],
        otherPlacementDecisions: [String: Int] = [:],
        boundClusterSets: Set<String>? = nil
    ) {
        self.now = now
        self.currentDecision = currentDecision
        self.otherPlacementDecisions = otherPlacementDecisions
        self.boundClusterSets = boundClusterSets
    }
}
