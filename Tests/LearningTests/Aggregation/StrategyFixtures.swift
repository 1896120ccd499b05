import Testing
@testable import Learning

/// Random models and comparisons shared by the aggregation strategy tests.
enum StrategyFixtures {
    /// Several tensor shapes, including a scalar and lengths that are not multiples of 16,
    /// so every kernel's vector body and scalar tail run.
    static let layout = ModelParameters(tensors: [
        Tensor(name: "bias", shape: [5], values: [Float](repeating: 0, count: 5)),
        Tensor(name: "dense", shape: [19, 23], values: [Float](repeating: 0, count: 437)),
        Tensor(name: "scalar", shape: [], values: [0]),
        Tensor(name: "wide", shape: [1, 700], values: [Float](repeating: 0, count: 700)),
    ])

    /// One tensor just above the size at which kernels split work across cores.
    static let largeLayout = ModelParameters(tensors: [
        Tensor(name: "large", shape: [270_007], values: [Float](repeating: 0, count: 270_007)),
        Tensor(name: "small", shape: [3], values: [0, 0, 0]),
    ])

    static func random(like layout: ModelParameters, seed: UInt64, center: ModelParameters? = nil, spread: Float = 1) -> ModelParameters {
        var generator = SeededGenerator(seed: seed)
        var model = layout
        for index in model.tensors.indices {
            let base = center?.tensors[index].values
            model.tensors[index].values = model.tensors[index].values.indices.map { element in
                (base?[element] ?? 0) + generator.nextFloat(in: -spread, spread)
            }
        }
        return model
    }

    /// A global model and `count` client updates around it, each with its own spread and example count.
    static func round(
        clients count: Int, seed: UInt64, layout: ModelParameters = layout
    ) -> (global: ModelParameters, updates: [(update: ModelParameters, examples: Int)]) {
        let global = random(like: layout, seed: seed)
        var generator = SeededGenerator(seed: seed &+ 1)
        let updates = (0..<count).map { client in
            (random(like: layout, seed: seed &+ 100 &+ UInt64(client), center: global, spread: 0.05 + 0.1 * Float(client % 5)),
             1 + generator.nextIndex(below: 5_000))
        }
        return (global, updates)
    }

    static func aggregate(
        _ updates: [(update: ModelParameters, examples: Int)], global: ModelParameters,
        _ configuration: AggregationConfiguration, state: ServerOptimizerState = .initial
    ) throws -> (model: ModelParameters, state: ServerOptimizerState) {
        var aggregator = try RoundAggregator(configuration: configuration, global: global, state: state)
        for (update, examples) in updates { try aggregator.add(update, examples: examples) }
        return try aggregator.finish()
    }

    /// The largest |got − expected| / max(1, |expected|) over all elements: an absolute error for
    /// values of order one (all test data), relative beyond.
    static func worstError(_ got: ModelParameters, _ expected: ModelParameters) -> Double {
        #expect(got.hasSameLayout(as: expected))
        var worst = 0.0
        for (a, b) in zip(got.tensors, expected.tensors) {
            for (x, y) in zip(a.values, b.values) {
                worst = max(worst, abs(Double(x) - Double(y)) / max(1, abs(Double(y))))
            }
        }
        return worst
    }

    static func flat(_ model: ModelParameters?) -> [Double] {
        model?.tensors.flatMap { $0.values.map(Double.init) } ?? []
    }
}
