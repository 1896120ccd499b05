import Testing
@testable import Learning

/// Bad updates are refused with a reason and change nothing: the round's result is bit-equal to
/// the result without them, for folding and holding strategies alike.
@Suite("Aggregation strategies: refused updates")
struct RoundAggregatorRejectionTests {
    typealias F = StrategyFixtures

    static func badUpdates(like global: ModelParameters) -> [(ModelParameters, Int, String)] {
        var nan = global, infinite = global, reordered = global, reshaped = global, inconsistent = global
        nan.tensors[1].values[17] = .nan
        infinite.tensors[3].values[699] = -.infinity
        reordered.tensors.swapAt(0, 1)
        reshaped.tensors[1].shape = [23, 19]
        inconsistent.tensors[0].values.append(1)
        return [
            (nan, 10, "NaN"), (infinite, 10, "infinity"), (reordered, 10, "tensor order"), (reshaped, 10, "shape"),
            (inconsistent, 10, "value count"), (global, 0, "zero examples"), (ModelParameters(tensors: []), 10, "empty model"),
        ]
    }

    @Test(arguments: [
        AggregationConfiguration(strategy: .fedAvg), AggregationConfiguration(strategy: .fedAdam(), clipNorm: 1),
        AggregationConfiguration(strategy: .fedMedian), AggregationConfiguration(strategy: .multiKrum(f: 1, m: 2), clipNorm: 1),
    ])
    func refusedUpdatesChangeNothing(configuration: AggregationConfiguration) throws {
        let (global, updates) = F.round(clients: 6, seed: 12)
        var clean = try RoundAggregator(configuration: configuration, global: global)
        var noisy = try RoundAggregator(configuration: configuration, global: global)
        for (index, (update, examples)) in updates.enumerated() {
            try clean.add(update, examples: examples)
            try noisy.add(update, examples: examples)
            let (bad, badExamples, label) = Self.badUpdates(like: global)[index % 7]
            #expect(throws: RoundAggregationError.self, "\(label)") { try noisy.add(bad, examples: badExamples) }
        }
        #expect(noisy.acceptedCount == updates.count)
        #expect(try noisy.finish() == clean.finish())
    }

    @Test func batchAddIsAllOrNothing() throws {
        let (global, updates) = F.round(clients: 4, seed: 2)
        var aggregator = try RoundAggregator(strategy: .fedAvg, global: global)
        var batch = updates
        batch[2].update.tensors[0].values[0] = .nan
        #expect(throws: RoundAggregationError.rejectedUpdate(.nonFiniteValues(tensor: "bias"))) {
            try aggregator.add(contentsOf: batch)
        }
        #expect(aggregator.acceptedCount == 0)
        #expect(throws: RoundAggregationError.noUpdates) { _ = try aggregator.finish() }
    }

    @Test func unusableGlobalModelsAreRefused() {
        var nan = F.layout
        nan.tensors[2].values[0] = .nan
        var inconsistent = F.layout
        inconsistent.tensors[1].shape = [2]
        for global in [nan, inconsistent] {
            #expect(throws: RoundAggregationError.self) { _ = try RoundAggregator(strategy: .fedAvg, global: global) }
        }
    }

    @Test func copiesOfAHoldingAggregatorAreIndependent() throws {
        let (global, updates) = F.round(clients: 3, seed: 6)
        var first = try RoundAggregator(strategy: .fedMedian, global: global)
        try first.add(updates[0].update, examples: 1)
        var second = first
        try second.add(updates[1].update, examples: 1)
        try second.add(updates[2].update, examples: 1)
        #expect(first.acceptedCount == 1)
        #expect(try first.finish().model == updates[0].update)
    }
}
