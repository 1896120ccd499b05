extension AggregationStrategy {
    /// The largest `f` or `m` a strategy takes: far beyond any fleet, and small enough that
    /// `2f + 3` never overflows.
    public static let maximumCount = 100_000

    /// Every parameter that is out of range, each naming its field (`strategy.<field>`);
    /// empty when the strategy is usable. Checks that depend on the number of updates are in
    /// `validate(updateCount:)`.
    public func validate() -> [AggregationFieldError] {
        var errors: [AggregationFieldError] = []
        func check(_ ok: Bool, _ field: String, _ requirement: String, _ value: some Any) {
            if !ok { errors.append(AggregationFieldError(field: "strategy.\(field)", problem: "must be \(requirement), got \(value)")) }
        }
        switch self {
        case .fedAvg, .fedMedian:
            break
        case let .fedProx(mu):
            check(mu.isFinite && mu >= 0, "mu", "finite and >= 0", mu)
        case let .fedAdam(eta, beta1, beta2, tau), let .fedYogi(eta, beta1, beta2, tau):
            check(eta.isFinite && eta > 0, "eta", "finite and > 0", eta)
            check(beta1 >= 0 && beta1 < 1, "beta1", "in [0, 1)", beta1)
            check(beta2 >= 0 && beta2 < 1, "beta2", "in [0, 1)", beta2)
            // tau keeps m/(√v + tau) finite where v is still 0.
            check(tau.isFinite && tau > 0, "tau", "finite and > 0", tau)
        case let .fedAdagrad(eta, tau):
            check(eta.isFinite && eta > 0, "eta", "finite and > 0", eta)
            check(tau.isFinite && tau > 0, "tau", "finite and > 0", tau)
        case let .trimmedMean(beta):
            // At beta >= 0.5 nothing would be left between the two cuts.
            check(beta >= 0 && beta < 0.5, "beta", "in [0, 0.5)", beta)
        case let .krum(f):
            check((0...Self.maximumCount).contains(f), "f", "in 0...\(Self.maximumCount)", f)
        case let .multiKrum(f, m):
            check((0...Self.maximumCount).contains(f), "f", "in 0...\(Self.maximumCount)", f)
            check((1...Self.maximumCount).contains(m), "m", "in 1...\(Self.maximumCount)", m)
        }
        return errors
    }

    /// The problems that only show once the number of updates `n` of a round is known:
    /// Krum needs `n >= 2f + 3` (Blanchard et al.: `n > 2f + 2`) and Multi-Krum `m <= n − f`,
    /// so that no selection can be forced to include a Byzantine update.
    public func validate(updateCount n: Int) -> [AggregationFieldError] {
        var errors: [AggregationFieldError] = []
        switch self {
        case let .krum(f), let .multiKrum(f, _):
            if n < 2 * f + 3 {
                errors.append(AggregationFieldError(
                    field: "strategy.f", problem: "f = \(f) is too large for \(n) updates: Krum needs n >= 2f + 3 = \(2 * f + 3)"))
            }
            if case let .multiKrum(_, m) = self, m > n - f {
                errors.append(AggregationFieldError(
                    field: "strategy.m", problem: "m = \(m) must be <= n - f = \(n - f) for \(n) updates"))
            }
        default:
            break
        }
        return errors
    }
}
