import Shared

/// How one placement decision differs from the one before: who joined, and who left with the
/// reason the scheduler gave (the filter that removed it, or that others ranked higher).
struct PlacementChange: Codable, Sendable, Hashable {
    typealias Departure = Shared.Departure

    var joined: [String]
    var departed: [Departure]

    init(previous: [String], decision: PlacementDecision) {
        let now = Set(decision.selected)
        let before = Set(previous)
        joined = decision.selected.filter { !before.contains($0) }
        departed = previous.filter { !now.contains($0) }.map(decision.departure(of:))
    }
}
