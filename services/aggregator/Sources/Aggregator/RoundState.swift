import Learning
import Shared

/// One round in progress: who was asked, who answered, and the running FedAvg sum.
/// Updates are folded in as they arrive, so memory stays O(model size).
struct RoundState: Sendable {
    let number: Int
    /// Who is expected to answer; a cluster placement removes mid-round is dropped from it.
    var participants: [Participant]
    let baseModelSHA256: String
    var accumulator: WeightedAverageAccumulator
    var contributions: [Contribution] = []

    var answered: Set<String> { Set(contributions.map(\.cluster)) }
    var isComplete: Bool { participants.allSatisfy { answered.contains($0.cluster) } }
}
