import Foundation
import Testing
@testable import Learning

@Suite("Aggregation strategies: configuration and validation")
struct StrategyValidationTests {
    typealias F = StrategyFixtures

    static func decode(_ json: String) throws -> AggregationConfiguration {
        try JSONDecoder().decode(AggregationConfiguration.self, from: Data(json.utf8))
    }

    @Test func namesAloneTakeFlowersDefaults() throws {
        #expect(try Self.decode(#"{"strategy":{"name":"fedAdam"}}"#).strategy == .fedAdam(eta: 0.1, beta1: 0.9, beta2: 0.99, tau: 1e-3))
        #expect(try Self.decode(#"{"strategy":{"name":"fedYogi"}}"#).strategy == .fedYogi(eta: 0.01, beta1: 0.9, beta2: 0.99, tau: 1e-3))
        #expect(try Self.decode(#"{"strategy":{"name":"fedAdagrad","eta":0.5}}"#).strategy == .fedAdagrad(eta: 0.5, tau: 1e-3))
        #expect(try Self.decode(#"{"strategy":{"name":"trimmedMean"}}"#).strategy == .trimmedMean(beta: 0.2))
        #expect(try Self.decode(#"{"strategy":{"name":"multiKrum","f":2}}"#).strategy == .multiKrum(f: 2, m: 1))
        let clipped = try Self.decode(#"{"strategy":{"name":"krum","f":1},"clipNorm":10}"#)
        #expect(clipped == AggregationConfiguration(strategy: .krum(f: 1), clipNorm: 10))
    }

    @Test(arguments: [
        AggregationStrategy.fedAvg, .fedProx(mu: 0.01), .fedAdam(), .fedYogi(eta: 0.02, beta1: 0.8, beta2: 0.95, tau: 1e-4),
        .fedAdagrad(), .fedMedian, .trimmedMean(beta: 0.1), .krum(f: 3), .multiKrum(f: 1, m: 4),
    ])
    func everyStrategyRoundTripsThroughJSON(strategy: AggregationStrategy) throws {
        let configuration = AggregationConfiguration(strategy: strategy, clipNorm: strategy == .fedAvg ? nil : 2.5)
        let data = try JSONEncoder().encode(configuration)
        #expect(try JSONDecoder().decode(AggregationConfiguration.self, from: data) == configuration)
        #expect(String(decoding: data, as: UTF8.self).contains(#""name":"\#(strategy.name)""#))
    }

    @Test func decodingNamesUnknownStrategiesAndFields() {
        for (json, mentioned) in [
            (#"{"strategy":{"name":"fedSgd"}}"#, "fedSgd"),
            (#"{"strategy":{"name":"fedAdam","beta_1":0.9}}"#, "beta_1"),
            (#"{"strategy":{"name":"fedProx"}}"#, "mu"),
        ] {
            do {
                _ = try Self.decode(json)
                Issue.record("\(json) should not decode")
            } catch {
                #expect(String(describing: error).contains(mentioned), "\(error)")
            }
        }
    }

    @Test func validationNamesEveryBadField() {
        let bad = AggregationConfiguration(strategy: .fedAdam(eta: -1, beta1: 1, beta2: -0.1, tau: 0), clipNorm: 0)
        #expect(Set(bad.validate().map(\.field)) == ["strategy.eta", "strategy.beta1", "strategy.beta2", "strategy.tau", "clipNorm"])
        #expect(AggregationStrategy.trimmedMean(beta: 0.5).validate().map(\.field) == ["strategy.beta"])
        #expect(AggregationStrategy.multiKrum(f: -1, m: 0).validate().map(\.field) == ["strategy.f", "strategy.m"])
        #expect(AggregationStrategy.fedProx(mu: .nan).validate().map(\.field) == ["strategy.mu"])
        #expect(AggregationConfiguration(strategy: .krum(f: 2)).validate().isEmpty)
        #expect(throws: RoundAggregationError.self) {
            _ = try RoundAggregator(configuration: bad, global: F.layout)
        }
    }

    @Test func krumRefusesAnFTooLargeForTheRound() throws {
        let (global, updates) = F.round(clients: 6, seed: 4)
        for (strategy, field) in [(AggregationStrategy.krum(f: 2), "strategy.f"), (.multiKrum(f: 1, m: 6), "strategy.m")] {
            var aggregator = try RoundAggregator(strategy: strategy, global: global)
            try aggregator.add(contentsOf: updates)
            #expect(throws: RoundAggregationError.self) { _ = try aggregator.finish() }
            do { _ = try aggregator.finish() } catch {
                guard case let .invalidConfiguration(problems) = error else { throw error }
                #expect(problems.map(\.field) == [field])
            }
        }
    }
}
