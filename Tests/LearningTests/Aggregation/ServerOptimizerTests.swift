import Foundation
import Testing
@testable import Learning

/// FedAdam, FedYogi and FedAdagrad over three rounds against the float64 reference, each round
/// starting from the previous round's model and its JSON-round-tripped state (as a restarted
/// aggregator would). Tolerance: 1e-4 of max(1, |value|) for models and moments — the pseudo-
/// gradient is a difference of float32 means, and m/(√v + τ) magnifies its rounding by up to
/// η/τ-ish factors where v is tiny.
@Suite("Aggregation strategies: server optimizers")
struct ServerOptimizerTests {
    typealias F = StrategyFixtures

    static let strategies: [AggregationStrategy] = [
        .fedAdam(), .fedYogi(), .fedAdagrad(), .fedAdam(eta: 0.05, beta1: 0.5, beta2: 0.9, tau: 0.01),
    ]

    @Test(arguments: strategies)
    func threeRoundsMatchReference(strategy: AggregationStrategy) throws {
        let configuration = AggregationConfiguration(strategy: strategy)
        var global = F.random(like: F.layout, seed: 40)
        var referenceGlobal = global
        var state = ServerOptimizerState.initial
        var referenceState = ReferenceStrategies.OptimizerState()
        for round in 1...3 {
            let updates = (0..<6).map { client in
                (update: F.random(like: F.layout, seed: UInt64(round * 100 + client), center: global, spread: 0.2), examples: 10 + client * 7)
            }
            let restored = try JSONDecoder().decode(ServerOptimizerState.self, from: JSONEncoder().encode(state))
            #expect(restored == state)
            let got = try F.aggregate(updates, global: global, configuration, state: restored)
            let referenceUpdates = updates.map { (update: $0.update, examples: $0.examples) }
            let reference = ReferenceStrategies.aggregate(
                referenceUpdates, global: referenceGlobal, configuration: configuration, state: referenceState)
            #expect(F.worstError(got.model, reference.model) <= 1e-4, "round \(round)")
            #expect(got.state.steps == round)
            for (ours, theirs) in [(got.state.firstMoment, reference.state.firstMoment), (got.state.secondMoment, reference.state.secondMoment)] {
                if case .fedAdagrad = strategy, ours == nil, got.state.secondMoment != nil { continue }
                let worst = zip(F.flat(ours), theirs ?? []).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? .infinity
                #expect(worst <= 1e-4, "round \(round) moment")
            }
            (global, state) = got
            (referenceGlobal, referenceState) = reference
        }
    }

    @Test func adamUsesFlowersBiasCorrection() throws {
        let rule = try #require(ServerOptimizer.rule(for: .fedAdam(eta: 0.1, beta1: 0.9, beta2: 0.99, tau: 1e-3)))
        // Flower's first round is server_round = 1, so the exponent is 2.
        let (eta, beta1, beta2) = (Double(Float(0.1)), Double(Float(0.9)), Double(Float(0.99)))
        let expected = eta * (1 - pow(beta2, 2.0)).squareRoot() / (1 - pow(beta1, 2.0))
        #expect(abs(ServerOptimizer.stepSize(rule, steps: 0) - expected) <= 1e-12)
        #expect(ServerOptimizer.stepSize(try #require(ServerOptimizer.rule(for: .fedYogi())), steps: 4) == Double(Float(0.01)))
    }

    @Test func stateOfAnotherModelIsRefused() throws {
        let global = F.random(like: F.layout, seed: 1)
        let other = F.random(like: F.largeLayout, seed: 1)
        let state = ServerOptimizerState(steps: 1, firstMoment: other, secondMoment: other)
        #expect(throws: RoundAggregationError.self) {
            _ = try RoundAggregator(strategy: .fedAdam(), global: global, state: state)
        }
        // Strategies without a server optimizer carry any state through untouched.
        var median = try RoundAggregator(strategy: .fedMedian, global: global, state: state)
        try median.add(global, examples: 1)
        #expect(try median.finish().state == state)
    }
}
