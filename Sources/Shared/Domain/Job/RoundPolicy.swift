/// Flotilla extension `spec.aggregation`: how a round ends when not everyone answers.
/// Unset fields keep the simple behaviour: wait for every participant, no deadline.
public struct RoundPolicy: Codable, Sendable, Hashable {
    public enum LateUpdates: String, Codable, Sendable, Hashable, CaseIterable {
        /// Rejected with a reason event.
        case discard
        /// Folded into the round that is open when it arrives (weighted by its examples).
        case nextRound
    }

    public enum QuorumMissed: String, Codable, Sendable, Hashable, CaseIterable {
        /// Give the round one more deadline, then fail the job.
        case extendOnce
        /// Fail the job at once, naming how many answered.
        case fail
    }

    /// Seconds from a round's start until it closes with whoever answered.
    public var roundDeadlineSeconds: Int?
    /// k of n: the fewest updates a round needs when its deadline passes (default: all).
    public var minResponses: Int?
    public var lateUpdates: LateUpdates?
    public var onQuorumMissed: QuorumMissed?

    public init(roundDeadlineSeconds: Int? = nil, minResponses: Int? = nil, lateUpdates: LateUpdates? = nil, onQuorumMissed: QuorumMissed? = nil) {
        self.roundDeadlineSeconds = roundDeadlineSeconds
        self.minResponses = minResponses
        self.lateUpdates = lateUpdates
        self.onQuorumMissed = onQuorumMissed
    }

    func validate(at path: String, minAvailableClients: Int) -> [FieldError] {
        var errors: [FieldError] = []
        if let seconds = roundDeadlineSeconds, !(1...86_400).contains(seconds) {
            errors.append(FieldError(field: "\(path).roundDeadlineSeconds", problem: "must be in 1...86400, got \(seconds)"))
        }
        if let k = minResponses {
            if k < 1 { errors.append(FieldError(field: "\(path).minResponses", problem: "must be at least 1, got \(k)")) }
            if k > minAvailableClients {
                errors.append(FieldError(field: "\(path).minResponses", problem: "\(k) exceeds spec.server.minAvailableClients \(minAvailableClients), so a round could never reach it"))
            }
            if roundDeadlineSeconds == nil {
                errors.append(FieldError(field: "\(path).roundDeadlineSeconds", problem: "is required with minResponses (k of n is judged at the deadline)"))
            }
        }
        return errors
    }
}
