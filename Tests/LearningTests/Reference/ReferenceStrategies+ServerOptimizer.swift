@testable import Learning
import Foundation

extension ReferenceStrategies {
    /// One FedAdam / FedYogi / FedAdagrad step as in Flower 1.41 (`fedadam.py`, `fedyogi.py`,
    /// `fedadagrad.py`, `fedopt.py`), element by element in float64. Flower's `server_round`
    /// starts at 1, so it is `state.steps + 1` here.
    public static func serverStep(
        _ strategy: AggregationStrategy, global g: [Double], average: [Double], state: inout OptimizerState
    ) -> [Double] {
        let delta = zip(average, g).map { $0 - $1 }
        let serverRound = Double(state.steps + 1)
        var m = state.firstMoment ?? [Double](repeating: 0, count: g.count)
        var v = state.secondMoment ?? [Double](repeating: 0, count: g.count)
        var eta: Double, tau: Double
        switch strategy {
        case let .fedAdam(e, b1, b2, t):
            (eta, tau) = (Double(e), Double(t))
            m = zip(m, delta).map { Double(b1) * $0 + (1 - Double(b1)) * $1 }
            v = zip(v, delta).map { Double(b2) * $0 + (1 - Double(b2)) * $1 * $1 }
            eta = eta * (1 - pow(Double(b2), serverRound + 1)).squareRoot() / (1 - pow(Double(b1), serverRound + 1))
        case let .fedYogi(e, b1, b2, t):
            (eta, tau) = (Double(e), Double(t))
            m = zip(m, delta).map { Double(b1) * $0 + (1 - Double(b1)) * $1 }
            v = zip(v, delta).map { v, d in
                let sign: Double = v - d * d > 0 ? 1 : (v - d * d < 0 ? -1 : 0)
                return v - (1 - Double(b2)) * d * d * sign
            }
        case let .fedAdagrad(e, t):
            (eta, tau) = (Double(e), Double(t))
            m = delta
            v = zip(v, delta).map { $0 + $1 * $1 }
        default:
            return average
        }
        state.steps += 1
        state.firstMoment = m
        state.secondMoment = v
        return g.indices.map { g[$0] + eta * m[$0] / (v[$0].squareRoot() + tau) }
    }
}
