import Testing
@testable import Learning

@Suite("Aggregation")
struct AggregationTests {
    static let layout = ModelArchitecture.mlp(inputs: 37, hidden: 19, classes: 5).initialParameters(seed: 0)

    static func randomUpdate(seed: UInt64, scale: Float = 1) -> ModelParameters {
        var generator = SeededGenerator(seed: seed)
        var update = layout
        for index in update.tensors.indices {
            update.tensors[index].values = update.tensors[index].values.map { _ in generator.nextFloat(in: -scale, scale) }
        }
        return update
    }

    /// |got − reference| ≤ 1e-5 × (Σ wᵢ·|xᵢ| / Σ wᵢ) + 1e-30 per element: relative to the size
    /// of the terms being averaged, which is what float32 summation can promise.
    static func expectClose(_ got: ModelParameters, _ updates: [(ModelParameters, Double)]) {
        let reference = ReferenceAggregation.fedAvg(updates)
        let totalWeight = updates.reduce(0) { $0 + $1.1 }
        #expect(got.hasSameLayout(as: reference))
        var worst = 0.0
        for (tensorIndex, tensor) in reference.tensors.enumerated() {
            for (element, expected) in tensor.values.enumerated() {
                let scale = updates.reduce(0) { $0 + $1.1 * Double(abs($1.0.tensors[tensorIndex].values[element])) } / totalWeight
                let error = abs(Double(got.tensors[tensorIndex].values[element]) - Double(expected))
                worst = max(worst, error / (scale + 1e-30))
            }
        }
        #expect(worst <= 1e-5, "worst relative error \(worst)")
    }

    @Test(arguments: [1, 3, 10, 60])
    func accumulatorMatchesReferenceOnRandomUpdates(clients: Int) throws {
        var generator = SeededGenerator(seed: UInt64(clients))
        let updates = (0..<clients).map { client in
            (Self.randomUpdate(seed: UInt64(100 + client), scale: 1 + Float(client % 7)), Double(1 + generator.nextIndex(below: 60_000)))
        }
        var accumulator = WeightedAverageAccumulator(layout: Self.layout)
        for (update, weight) in updates { try accumulator.add(update, weight: weight) }
        #expect(accumulator.count == clients)
        #expect(accumulator.totalWeight == updates.reduce(0) { $0 + $1.1 })
        Self.expectClose(try accumulator.average(), updates)
    }

    @Test(arguments: [4, 7, 13])
    func batchedAddMatchesReference(clients: Int) throws {
        let updates: [(ModelParameters, Double)] = (0..<clients).map { client in
            (Self.randomUpdate(seed: UInt64(500 + client), scale: 3), Double(10 * (client + 1)))
        }
        var accumulator = WeightedAverageAccumulator(layout: Self.layout)
        try accumulator.add(updates[0].0, weight: updates[0].1)
        try accumulator.add(contentsOf: Array(updates.dropFirst()))
        #expect(accumulator.count == clients)
        #expect(accumulator.totalWeight == updates.reduce(0) { $0 + $1.1 })
        Self.expectClose(try accumulator.average(), updates)
    }

    @Test func batchedAddIsAllOrNothing() throws {
        var accumulator = WeightedAverageAccumulator(layout: Self.layout)
        try accumulator.add(Self.randomUpdate(seed: 1), weight: 2)
        let before = try accumulator.average()
        var poisoned = Self.randomUpdate(seed: 6)
        poisoned.tensors[0].values[0] = .infinity
        let healthy: [(ModelParameters, Double)] = (2..<6).map { seed in (Self.randomUpdate(seed: UInt64(seed)), 1.0) }
        let batch = healthy + [(poisoned, 1.0)]
        #expect(throws: AggregationError.nonFiniteValues(tensor: "hidden.bias")) { try accumulator.add(contentsOf: batch) }
        #expect(accumulator.count == 1)
        #expect(try accumulator.average() == before)
    }

    @Test func equalWeightsOfIdenticalUpdatesReturnTheUpdate() throws {
        let update = Self.randomUpdate(seed: 1)
        var accumulator = WeightedAverageAccumulator(layout: Self.layout)
        for _ in 0..<4 { try accumulator.add(update, weight: 250) }
        Self.expectClose(try accumulator.average(), [(update, 1)])
    }

    @Test func rejectedUpdatesLeaveTheSumUnchanged() throws {
        let good = Self.randomUpdate(seed: 1), other = Self.randomUpdate(seed: 2)
        var accumulator = WeightedAverageAccumulator(layout: Self.layout)
        try accumulator.add(good, weight: 3)
        let before = try accumulator.average()

        var poisoned = other
        poisoned.tensors[3].values[7] = .nan
        #expect(throws: AggregationError.nonFiniteValues(tensor: "output.weight")) { try accumulator.add(poisoned, weight: 1) }
        var infinite = other
        infinite.tensors[1].values[0] = -.infinity
        #expect(throws: AggregationError.nonFiniteValues(tensor: "hidden.weight")) { try accumulator.add(infinite, weight: 1) }

        let wrongShape = ModelArchitecture.mlp(inputs: 37, hidden: 20, classes: 5).initialParameters(seed: 0)
        #expect(throws: AggregationError.self) { try accumulator.add(wrongShape, weight: 1) }
        var renamed = other
        renamed.tensors[0].name = "hidden.b"
        #expect(throws: AggregationError.self) { try accumulator.add(renamed, weight: 1) }
        var short = other
        short.tensors[2].values.removeLast()
        #expect(throws: AggregationError.self) { try accumulator.add(short, weight: 1) }
        #expect(throws: AggregationError.self) { try accumulator.add(ModelParameters(tensors: []), weight: 1) }
        for weight in [0, -2, .nan, .infinity] {
            let error = #expect(throws: AggregationError.self) { try accumulator.add(other, weight: weight) }
            guard case .invalidWeight = error else {
                Issue.record("weight \(weight) gave \(String(describing: error))")
                continue
            }
        }

        #expect(accumulator.count == 1)
        #expect(accumulator.totalWeight == 3)
        #expect(try accumulator.average() == before)
        Self.expectClose(before, [(good, 3)])
    }

    @Test func averageOfNothingThrows() {
        let accumulator = WeightedAverageAccumulator(layout: Self.layout)
        #expect(throws: AggregationError.noUpdates) { try accumulator.average() }
    }

    @Test func referenceRefusesMixedLayouts() {
        let mixed = [(Self.layout, 1.0), (ModelArchitecture.mnistSoftmax.initialParameters(seed: 0), 1.0)]
        #expect(ReferenceAggregation.fedAvg(mixed).tensors.isEmpty)
        #expect(ReferenceAggregation.fedAvg([]).tensors.isEmpty)
    }
}
