import Foundation
import Learning
import Shared

/// One round in progress: who was asked, who answered, and the running FedAvg sum.
/// FedAvg-like strategies fold updates in as they arrive, so memory stays O(model size).
struct RoundState: Sendable {
    let number: Int
    /// Who is expected to answer; a cluster placement removes mid-round is dropped from it.
    var participants: [Participant]
    /// Who was asked when the round started. An update counts if its cluster was asked and did
    /// not report failure, whatever placement decided since: acceptance then depends only on
    /// the update log, so replaying the log after a crash accepts exactly the same updates.
    var selected: Set<String>
    /// Everyone the round was announced to, in order (replacements asked for by the round
    /// policy are appended when they join).
    var announced: [Participant]
    let baseModelSHA256: String
    /// The strategy's running state: folded sums for FedAvg-like strategies, held updates for robust ones.
    var accumulator: RoundAggregator
    var contributions: [Contribution] = []
    /// When the round closes with whoever answered (nil: wait for everyone).
    var deadline: Date?
    var extended = false
    /// The round asked placement to replace the clusters that did not answer.
    var askedForMoreClients = false
    /// Participants that reported they cannot answer (no longer waited for).
    var failed: [String] = []
    /// Participants placement removed while the round was open, with the scheduler's reason.
    var departed: [Departure] = []

    /// Who answered this round itself (late updates from earlier rounds do not count).
    var answered: Set<String> { Set(contributions.filter { $0.lateFromRound == nil }.map(\.cluster)) }
    func accepts(_ cluster: String) -> Bool { selected.contains(cluster) && !failed.contains(cluster) }
    var isComplete: Bool { participants.allSatisfy { answered.contains($0.cluster) } }
}

/// A closed round, remembered so an update that arrives after it can be told apart from a
/// wrong one (and, by policy, counted into the round that is open).
struct ClosedRound: Sendable {
    let number: Int
    let participants: Set<String>
    let answered: Set<String>
}
