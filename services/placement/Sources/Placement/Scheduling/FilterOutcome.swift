import Foundation
import Shared

/// What a filter plugin says about one cluster.
enum FilterOutcome: Sendable, Equatable {
    /// The cluster passes; `until` is when a time-limited toleration it relies on expires.
    case pass(until: Date?)
    /// The cluster is removed, with a human-readable reason.
    case filtered(reason: String)
}

/// A filter plugin: removes clusters that must not be selected (OCM `plugins.Filter`).
/// Built once per schedule call so per-spec work (compiling selectors) is not repeated per cluster.
/// Each filter's `evaluate` takes only the cluster fields it reads: passing a whole
/// `ManagedCluster` made the optimizer copy it (six retains and releases) at every call.
protocol ClusterFilter: Sendable {
    /// The `filteredBy` name reported in explanations.
    static var name: String { get }
}
