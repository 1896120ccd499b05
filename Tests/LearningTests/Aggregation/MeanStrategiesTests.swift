import Testing
@testable import Learning

/// FedAvg and FedProx against `ReferenceStrategies` (float64). Tolerance: 1e-5 of max(1, |value|)
/// per element, which float32 sums of up to 13 updates of order one meet with a wide margin.
@Suite("Aggregation strategies: FedAvg, FedProx, clipping")
struct MeanStrategiesTests {
    typealias F = StrategyFixtures

    @Test(arguments: [1, 3, 4, 5, 10, 13])
    func fedAvgMatchesReference(clients: Int) throws {
        let (global, updates) = F.round(clients: clients, seed: UInt64(clients))
        let got = try F.aggregate(updates, global: global, AggregationConfiguration(strategy: .fedAvg))
        let reference = ReferenceStrategies.aggregate(updates, global: global, configuration: AggregationConfiguration(strategy: .fedAvg))
        #expect(F.worstError(got.model, reference.model) <= 1e-5)
        #expect(got.state == .initial)
    }

    @Test func fedProxAggregatesExactlyLikeFedAvg() throws {
        let (global, updates) = F.round(clients: 7, seed: 11)
        let fedAvg = try F.aggregate(updates, global: global, AggregationConfiguration(strategy: .fedAvg))
        let fedProx = try F.aggregate(updates, global: global, AggregationConfiguration(strategy: .fedProx(mu: 0.1)))
        #expect(fedProx.model == fedAvg.model)
        #expect(AggregationStrategy.fedProx(mu: 0.1).proximalMu == 0.1)
    }

    /// Fusing pending updates must not change a single bit: crash recovery replays updates one
    /// by one and must reproduce the round's model exactly.
    @Test func groupingOfArrivalsDoesNotChangeTheBits() throws {
        let (global, updates) = F.round(clients: 11, seed: 5)
        let configuration = AggregationConfiguration(strategy: .fedAvg, clipNorm: 0.8)
        var unfused = try RoundAggregator(configuration: configuration, global: global, pendingByteBudget: 0)
        for (update, examples) in updates { try unfused.add(update, examples: examples) }
        var batched = try RoundAggregator(configuration: configuration, global: global)
        try batched.add(contentsOf: updates)
        let fused = try F.aggregate(updates, global: global, configuration)
        let expected = try unfused.finish().model
        #expect(try batched.finish().model == expected)
        #expect(fused.model == expected)
    }

    @Test(arguments: [0.05, 0.5, 3] as [Float])
    func clippedFedAvgMatchesReference(clipNorm: Float) throws {
        let (global, updates) = F.round(clients: 9, seed: 21)
        let configuration = AggregationConfiguration(strategy: .fedAvg, clipNorm: clipNorm)
        let got = try F.aggregate(updates, global: global, configuration)
        let reference = ReferenceStrategies.aggregate(updates, global: global, configuration: configuration)
        #expect(F.worstError(got.model, reference.model) <= 1e-5)
    }

    @Test func clippingBoundsTheDeltaNorm() throws {
        let (global, updates) = F.round(clients: 1, seed: 8)
        let got = try F.aggregate(updates, global: global, AggregationConfiguration(strategy: .fedAvg, clipNorm: 0.25))
        let delta = zip(F.flat(got.model), F.flat(global)).map { $0 - $1 }
        let norm = delta.reduce(0) { $0 + $1 * $1 }.squareRoot()
        #expect(abs(norm - 0.25) <= 1e-5)
        // An update already within the bound passes through untouched.
        let small = try F.aggregate(updates, global: global, AggregationConfiguration(strategy: .fedAvg, clipNorm: 1e6))
        #expect(F.worstError(small.model, updates[0].update) <= 1e-6)
    }

    @Test func largeTensorsSplitAcrossCoresMatchReference() throws {
        let (global, updates) = F.round(clients: 5, seed: 3, layout: F.largeLayout)
        for configuration in [AggregationConfiguration(strategy: .fedAvg), AggregationConfiguration(strategy: .fedAvg, clipNorm: 2)] {
            let got = try F.aggregate(updates, global: global, configuration)
            let reference = ReferenceStrategies.aggregate(updates, global: global, configuration: configuration)
            #expect(F.worstError(got.model, reference.model) <= 1e-5)
        }
    }
}
