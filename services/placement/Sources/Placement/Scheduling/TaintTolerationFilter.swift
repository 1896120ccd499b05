import Foundation
import Shared

/// OCM's `TaintToleration` filter.
///
/// - `PreferNoSelect` never filters.
/// - `NoSelectIfNew` is ignored for a cluster already in this placement's decision.
/// - Otherwise a taint must be matched by a toleration: the first matching, unexpired toleration
///   (in spec order) decides, and its `tolerationSeconds` (counted from the taint's `timeAdded`)
///   gives the time the cluster stops being tolerated. At exactly `timeAdded + seconds` the
///   toleration has expired, as in OCM (`now.Before(timeAdded+seconds)`).
struct TaintTolerationFilter: ClusterFilter {
    static let name = ClusterExplanation.taintTolerationFilter

    private let tolerations: [Toleration]
    private let now: Date

    init(tolerations: [Toleration]?, now: Date) {
        self.tolerations = tolerations ?? []
        self.now = now
    }

    /// `inDecision`: whether the cluster is in this placement's current decision.
    func evaluate(inDecision: Bool, taints: [Taint]) -> FilterOutcome {
        guard !taints.isEmpty else { return .pass(until: nil) }
        var earliest: Date?
        for taint in taints {
            switch verdict(for: taint, inDecision: inDecision) {
            case .pass(let until):
                if let until, earliest.map({ until < $0 }) ?? true { earliest = until }
            case .filtered(let reason):
                return .filtered(reason: reason)
            }
        }
        return .pass(until: earliest)
    }

    private func verdict(for taint: Taint, inDecision: Bool) -> FilterOutcome {
        switch taint.effect {
        case .preferNoSelect:
            return .pass(until: nil)
        case .noSelectIfNew where inDecision:
            return .pass(until: nil)
        case .noSelect, .noSelectIfNew:
            break
        }
        var expiredAt: Date?
        for toleration in tolerations where Self.matches(toleration, taint) {
            guard let seconds = toleration.tolerationSeconds else { return .pass(until: nil) }
            let expiry = taint.timeAdded.addingTimeInterval(TimeInterval(seconds))
            if now < expiry { return .pass(until: expiry) }
            expiredAt = expiredAt.map { max($0, expiry) } ?? expiry
        }
        let description = Self.describe(taint)
        if let expiredAt {
            return .filtered(reason: "toleration of taint \(description) expired at \(expiredAt.ISO8601Format())")
        }
        if taint.effect == .noSelectIfNew {
            return .filtered(reason: "taint \(description) is not tolerated and the cluster is not already selected")
        }
        return .filtered(reason: "taint \(description) is not tolerated")
    }

    /// Key, operator, value and effect matching, without `tolerationSeconds`.
    static func matches(_ toleration: Toleration, _ taint: Taint) -> Bool {
        if let effect = toleration.effect, effect != taint.effect { return false }
        if let key = toleration.key, !key.isEmpty, key != taint.key { return false }
        switch toleration.operator ?? .equal {
        case .exists: return true
        case .equal: return (toleration.value ?? "") == (taint.value ?? "")
        }
    }

    private static func describe(_ taint: Taint) -> String {
        if let value = taint.value, !value.isEmpty {
            return "\(taint.key)=\(value):\(taint.effect.rawValue)"
        }
        return "\(taint.key):\(taint.effect.rawValue)"
    }
}
