import Testing
@testable import Learning

/// Updates the decoder proved finite skip one read, never a bit of the result: every strategy
/// and fusion must give exactly what the checked path gives.
@Suite("Aggregation: updates proved finite by the decoder")
struct VerifiedUpdateTests {
    typealias F = StrategyFixtures

    /// The updates as `decodeFinite` returns them.
    static func decoded(_ updates: [(update: ModelParameters, examples: Int)]) throws -> [FiniteParameters] {
        try updates.map { try SafeTensors.decodeFinite(SafeTensors.encode($0.update)).parameters }
    }

    static func verifiedRound(
        _ updates: [(update: ModelParameters, examples: Int)], global: ModelParameters, _ configuration: AggregationConfiguration,
        pendingByteBudget: Int = 64 << 20
    ) throws -> (model: ModelParameters, state: ServerOptimizerState) {
        var aggregator = try RoundAggregator(configuration: configuration, global: global, pendingByteBudget: pendingByteBudget)
        for (finite, (_, examples)) in zip(try decoded(updates), updates) { try aggregator.add(finite, examples: examples) }
        return try aggregator.finish()
    }

    @Test(arguments: [
        AggregationConfiguration(strategy: .fedAvg), AggregationConfiguration(strategy: .fedAvg, clipNorm: 0.3),
        AggregationConfiguration(strategy: .fedAdam(), clipNorm: nil), AggregationConfiguration(strategy: .fedMedian),
        AggregationConfiguration(strategy: .trimmedMean(beta: 0.2)), AggregationConfiguration(strategy: .multiKrum(f: 1, m: 4)),
    ])
    func verifiedUpdatesGiveTheSameBitsAsCheckedOnes(configuration: AggregationConfiguration) throws {
        let (global, updates) = F.round(clients: 13, seed: 17)
        let checked = try F.aggregate(updates, global: global, configuration)
        let verified = try Self.verifiedRound(updates, global: global, configuration)
        #expect(verified.model == checked.model)
        #expect(verified.state == checked.state)
    }

    /// 1 to 19 updates folded one by one, or up to eight per pass (and split 8 + 8 + 3): the
    /// same bits, with the first update's own arrays scaled in the fused pass.
    @Test(arguments: [1, 2, 3, 5, 8, 9, 19])
    func fusionDoesNotChangeTheBits(clients: Int) throws {
        for layout in [F.layout, F.largeLayout] {
            let (global, updates) = F.round(clients: clients, seed: UInt64(clients), layout: layout)
            let configuration = AggregationConfiguration(strategy: .fedAvg)
            let oneByOne = try Self.verifiedRound(updates, global: global, configuration, pendingByteBudget: 0)
            let fused = try Self.verifiedRound(updates, global: global, configuration)
            var batched = try RoundAggregator(configuration: configuration, global: global)
            try batched.add(contentsOf: updates)
            #expect(fused.model == oneByOne.model)
            #expect(try batched.finish().model == oneByOne.model)
        }
    }

    @Test func layoutIsStillCheckedAndARefusalChangesNothing() throws {
        let (global, updates) = F.round(clients: 3, seed: 4)
        var aggregator = try RoundAggregator(strategy: .fedAvg, global: global)
        try aggregator.add(try Self.decoded([updates[0]])[0], examples: updates[0].examples)
        var renamed = updates[1].update
        renamed.tensors[0].name = "other"
        let stranger = try FiniteParameters(checking: renamed)
        #expect(throws: RoundAggregationError.self) { try aggregator.add(stranger, examples: 10) }
        #expect(throws: RoundAggregationError.invalidExampleCount(0)) { try aggregator.add(try Self.decoded([updates[1]])[0], examples: 0) }
        for (finite, (_, examples)) in zip(try Self.decoded(Array(updates.dropFirst())), updates.dropFirst()) {
            try aggregator.add(finite, examples: examples)
        }
        #expect(try aggregator.finish().model == F.aggregate(updates, global: global, AggregationConfiguration(strategy: .fedAvg)).model)
    }
}
