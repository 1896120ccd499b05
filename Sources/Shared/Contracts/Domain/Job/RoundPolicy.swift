import Learning

/// Flotilla extension `spec.aggregation`: the strategy that combines updates, and how a round
/// ends when not everyone answers. Unset fields keep the simple behaviour: FedAvg, wait for
/// every participant, no deadline.
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
        /// Ask placement to replace the clusters that did not answer (`MoreClientsRequested`);
        /// the replacements join this round, which gets one more deadline, then the job fails.
        case askForMoreClients
    }

    /// `{name: fedAdam, eta: 0.05}` and so on (see `AggregationStrategy`); default FedAvg.
    public var strategy: AggregationStrategy?
    /// Clip each update's change to this L2 norm before the strategy sees it.
    public var clipNorm: Float?
    /// Seconds from a round's start until it closes with whoever answered.
    public var roundDeadlineSeconds: Int?
    /// k of n: the fewest updates a round needs when its deadline passes (default: all).
    public var minResponses: Int?
    public var lateUpdates: LateUpdates?
    public var onQuorumMissed: QuorumMissed?

    public var aggregation: AggregationConfiguration { AggregationConfiguration(strategy: strategy ?? .fedAvg, clipNorm: clipNorm) }

    public init(
        strategy: AggregationStrategy? = nil, clipNorm: Float? = nil, roundDeadlineSeconds: Int? = nil, minResponses: Int? = nil,
        lateUpdates: LateUpdates? = nil, onQuorumMissed: QuorumMissed? = nil
    ) {
        self.strategy = strategy
        self.clipNorm = clipNorm
        self.roundDeadlineSeconds = roundDeadlineSeconds
        self.minResponses = minResponses
        self.lateUpdates = lateUpdates
        self.onQuorumMissed = onQuorumMissed
    }

    func validate(at path: String, minAvailableClients: Int) -> [FieldError] {
        var errors = aggregation.validate().map { FieldError(field: "\(path).\($0.field)", problem: $0.problem) }
        // Robust strategies need enough updates per round (Krum: n >= 2f + 3), judged only on
        // numbers already known to be in range.
        let updateCount = minResponses ?? minAvailableClients
        if errors.isEmpty, (1...JobDocument.maximumClients).contains(updateCount) {
            errors += aggregation.strategy.validate(updateCount: updateCount).map {
                FieldError(field: "\(path).\($0.field)", problem: "\($0.problem) (with \(updateCount) updates per round)")
            }
        }
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
