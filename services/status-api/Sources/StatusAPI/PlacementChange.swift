import Shared

/// How one placement decision differs from the one before: who joined, and who left with the
/// reason the scheduler gave (the filter that removed it, or that others ranked higher).
struct PlacementChange: Codable, Sendable, Hashable {
    struct Departure: Codable, Sendable, Hashable {
        var cluster: String
        var filteredBy: String?
        var reason: String
    }

    var joined: [String]
    var departed: [Departure]

    init(previous: [String], decision: PlacementDecision) {
        let now = Set(decision.selected)
        let before = Set(previous)
        joined = decision.selected.filter { !before.contains($0) }
        departed = previous.filter { !now.contains($0) }.map { cluster in
            guard let explanation = decision.explanation(for: cluster) else {
                return Departure(cluster: cluster, filteredBy: nil, reason: "the cluster is no longer registered")
            }
            if let filter = explanation.filteredBy {
                return Departure(cluster: cluster, filteredBy: filter, reason: explanation.filterReason ?? "removed by \(filter)")
            }
            return Departure(cluster: cluster, filteredBy: nil, reason: "other clusters scored higher (total \(explanation.total ?? 0))")
        }
    }
}
