import Foundation

/// The server-side optimizers of Reddi et al. 2021 ("Adaptive Federated Optimization"), with
/// Flower 1.41's update rules. With Δ = mean(updates) − global:
///
///     m ← β₁·m + (1 − β₁)·Δ                      (FedAdagrad: β₁ = 0, so m = Δ)
///     v ← β₂·v + (1 − β₂)·Δ²                     FedAdam
///     v ← v − (1 − β₂)·Δ²·sign(v − Δ²)           FedYogi
///     v ← v + Δ²                                 FedAdagrad
///     global ← global + η'·m / (√v + τ)
///
/// η' = η, except FedAdam's bias-corrected η·√(1 − β₂ᵗ⁺¹)/(1 − β₁ᵗ⁺¹) where t is Flower's
/// 1-based round number (here `steps + 1`), exponent and all as Flower computes it.
/// Moments start at zero, as Flower's do.
enum ServerOptimizer {
    struct Rule {
        var eta: Float
        var beta1: Float
        var beta2: Float
        var tau: Float
        var kind: Kind
        enum Kind { case adam, yogi, adagrad }
    }

    static func rule(for strategy: AggregationStrategy) -> Rule? {
        switch strategy {
        case let .fedAdam(eta, beta1, beta2, tau): Rule(eta: eta, beta1: beta1, beta2: beta2, tau: tau, kind: .adam)
        case let .fedYogi(eta, beta1, beta2, tau): Rule(eta: eta, beta1: beta1, beta2: beta2, tau: tau, kind: .yogi)
        case let .fedAdagrad(eta, tau): Rule(eta: eta, beta1: 0, beta2: 0, tau: tau, kind: .adagrad)
        default: nil
        }
    }

    /// The step size for the step after `steps` completed ones.
    static func stepSize(_ rule: Rule, steps: Int) -> Double {
        guard rule.kind == .adam else { return Double(rule.eta) }
        let exponent = Double(steps + 1) + 1  // Flower: server_round + 1, with server_round from 1
        return Double(rule.eta) * (1 - pow(Double(rule.beta2), exponent)).squareRoot() / (1 - pow(Double(rule.beta1), exponent))
    }

    static func step(
        _ rule: Rule, global: ModelParameters, average: ModelParameters, state: ServerOptimizerState
    ) throws(RoundAggregationError) -> (model: ModelParameters, state: ServerOptimizerState) {
        let eta = Float(stepSize(rule, steps: state.steps))
        var model = global, first = global, second = global
        for index in global.tensors.indices {
            let count = global.tensors[index].values.count
            var m = state.firstMoment?.tensors[index].values ?? [Float](repeating: 0, count: count)
            var v = state.secondMoment?.tensors[index].values ?? [Float](repeating: 0, count: count)
            let g = global.tensors[index].values, a = average.tensors[index].values
            var w = [Float](repeating: 0, count: count)
            for i in 0..<count {
                let delta = a[i] - g[i], squared = delta * delta
                m[i] = rule.beta1 * m[i] + (1 - rule.beta1) * delta
                switch rule.kind {
                case .adam: v[i] = rule.beta2 * v[i] + (1 - rule.beta2) * squared
                case .yogi: v[i] = v[i] - (1 - rule.beta2) * squared * sign(v[i] - squared)
                case .adagrad: v[i] = v[i] + squared
                }
                w[i] = g[i] + eta * m[i] / (v[i].squareRoot() + rule.tau)
            }
            model.tensors[index].values = w
            first.tensors[index].values = m
            second.tensors[index].values = v
            guard model.tensors[index].allFinite else { throw .nonFiniteResult(tensor: global.tensors[index].name) }
        }
        let next = ServerOptimizerState(steps: state.steps + 1, firstMoment: rule.kind == .adagrad ? nil : first, secondMoment: second)
        return (model, next)
    }

    /// numpy's sign: −1, 0 or 1.
    @inline(__always)
    static func sign(_ x: Float) -> Float {
        x > 0 ? 1 : (x < 0 ? -1 : 0)
    }
}
