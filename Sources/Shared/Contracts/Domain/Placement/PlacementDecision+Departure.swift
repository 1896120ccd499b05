/// A cluster a placement decision no longer selects, with the scheduler's reason: the filter
/// that removed it, or that other clusters ranked higher, or that it is gone from the fleet.
public struct Departure: Codable, Sendable, Hashable {
    public var cluster: String
    /// The filter that removed it (`taintToleration`, `predicates`, `unresponsive`), if one did.
    public var filteredBy: String?
    public var reason: String

    public init(cluster: String, filteredBy: String? = nil, reason: String) {
        self.cluster = cluster
        self.filteredBy = filteredBy
        self.reason = reason
    }
}

extension PlacementDecision {
    /// Why this decision does not select `cluster` (which an earlier one did).
    public func departure(of cluster: String) -> Departure {
        guard let explanation = explanation(for: cluster) else {
            return Departure(cluster: cluster, reason: "the cluster is no longer registered")
        }
        if let filter = explanation.filteredBy {
            return Departure(cluster: cluster, filteredBy: filter, reason: explanation.filterReason ?? "removed by \(filter)")
        }
        return Departure(cluster: cluster, reason: "other clusters scored higher (total \(explanation.total ?? 0))")
    }
}
