import Testing
@testable import Learning

/// Two of ten clients send poisoned updates. FedAvg follows them far away from the honest
/// clients' mean; the robust strategies (and clipping) stay close to it.
@Suite("Aggregation strategies: poisoned updates")
struct PoisoningTests {
    typealias F = StrategyFixtures

    enum Attack: CaseIterable {
        /// The delta multiplied by 10⁶.
        case scaled
        /// The delta reversed and multiplied by 100.
        case signFlipped
    }

    static func poisonedRound(_ attack: Attack) -> (global: ModelParameters, updates: [(update: ModelParameters, examples: Int)], honestMean: [Double]) {
        let global = F.random(like: F.layout, seed: 1)
        var updates = (0..<10).map { client in
            (update: F.random(like: F.layout, seed: 200 + UInt64(client), center: global, spread: 0.1), examples: 100)
        }
        let honest = updates[2...].map { F.flat($0.update) }
        let honestMean = (0..<honest[0].count).map { i in honest.reduce(0) { $0 + $1[i] } / Double(honest.count) }
        let factor: Float = attack == .scaled ? 1e6 : -100
        for client in 0..<2 {
            for index in updates[client].update.tensors.indices {
                let base = global.tensors[index].values
                updates[client].update.tensors[index].values = zip(updates[client].update.tensors[index].values, base).map { $1 + factor * ($0 - $1) }
            }
        }
        return (global, updates, honestMean)
    }

    static func largestDeviation(_ model: ModelParameters, from mean: [Double]) -> Double {
        zip(F.flat(model), mean).map { abs($0 - $1) }.max() ?? .infinity
    }

    @Test(arguments: Attack.allCases)
    func robustStrategiesResistWhatWrecksFedAvg(attack: Attack) throws {
        let (global, updates, honestMean) = Self.poisonedRound(attack)
        let fedAvg = try F.aggregate(updates, global: global, AggregationConfiguration(strategy: .fedAvg)).model
        #expect(Self.largestDeviation(fedAvg, from: honestMean) > 1, "FedAvg is wrecked")

        // Honest deltas are at most 0.1 per coordinate, so every honest update lies within 0.2 of
        // the honest mean: staying inside that band means the poison pulled no further than an
        // honest client could (Krum returns one honest update, so it may use the whole band).
        let robust: [AggregationConfiguration] = [
            .init(strategy: .fedMedian), .init(strategy: .trimmedMean(beta: 0.2)),
            .init(strategy: .krum(f: 2)), .init(strategy: .multiKrum(f: 2, m: 5)),
            .init(strategy: .fedAvg, clipNorm: 0.5),
        ]
        for configuration in robust {
            let model = try F.aggregate(updates, global: global, configuration).model
            let deviation = Self.largestDeviation(model, from: honestMean)
            #expect(deviation < 0.2, "\(configuration) deviates by \(deviation)")
        }
    }

    @Test func krumNeverSelectsAPoisonedUpdate() throws {
        for attack in Attack.allCases {
            let (global, updates, _) = Self.poisonedRound(attack)
            var aggregator = try RoundAggregator(strategy: .krum(f: 2), global: global)
            try aggregator.add(contentsOf: updates)
            let chosen = try aggregator.finish().model
            #expect(chosen != updates[0].update && chosen != updates[1].update)
        }
    }
}
