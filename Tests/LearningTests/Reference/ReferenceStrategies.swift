@testable import Learning
/// Plain, obviously correct float64 implementations of every strategy, written straight from
/// the papers and Flower 1.41's code with no attention to speed; tests hold the optimised
/// `RoundAggregator` against them. Models are handled as flat arrays of all tensors in order.
public enum ReferenceStrategies {
    /// A server optimizer's state in float64 (nil moments mean zeros, as in Flower).
    public struct OptimizerState: Sendable, Hashable {
        public var steps = 0
        public var firstMoment: [Double]?
        public var secondMoment: [Double]?
        public init() {}
    }

    /// One round of `configuration` over `updates` (weights and example counts).
    public static func aggregate(
        _ updates: [(update: ModelParameters, examples: Int)], global: ModelParameters,
        configuration: AggregationConfiguration, state: OptimizerState = OptimizerState()
    ) -> (model: ModelParameters, state: OptimizerState) {
        let g = flatten(global)
        var xs = updates.map { flatten($0.update) }
        let ws = updates.map { Double($0.examples) }
        if let clipNorm = configuration.clipNorm { xs = xs.map { clip($0, global: g, norm: Double(clipNorm)) } }
        var state = state
        let result: [Double]
        switch configuration.strategy {
        case .fedAvg, .fedProx:
            result = weightedMean(xs, ws)
        case .fedAdam, .fedYogi, .fedAdagrad:
            result = serverStep(configuration.strategy, global: g, average: weightedMean(xs, ws), state: &state)
        case .fedMedian:
            result = coordinateWise(xs) { median($0) }
        case let .trimmedMean(beta):
            let cut = Int((Double(beta.description) ?? Double(beta)) * Double(xs.count))
            result = coordinateWise(xs) { Array($0.sorted()[cut..<($0.count - cut)]).reduce(0, +) / Double($0.count - 2 * cut) }
        case let .krum(f):
            result = xs[krumOrder(xs, f: f)[0]]
        case let .multiKrum(f, m):
            let chosen = Array(krumOrder(xs, f: f).prefix(m))
            result = weightedMean(chosen.map { xs[$0] }, chosen.map { ws[$0] })
        }
        return (unflatten(result, like: global), state)
    }

    /// g + min(1, norm / ‖x − g‖)·(x − g).
    public static func clip(_ x: [Double], global g: [Double], norm: Double) -> [Double] {
        var squared = 0.0
        for i in x.indices { squared += (x[i] - g[i]) * (x[i] - g[i]) }
        let length = squared.squareRoot()
        let scale = length > norm ? norm / length : 1
        return zip(x, g).map { $1 + scale * ($0 - $1) }
    }

    public static func weightedMean(_ xs: [[Double]], _ ws: [Double]) -> [Double] {
        var sum = [Double](repeating: 0, count: xs[0].count)
        for (x, w) in zip(xs, ws) {
            for i in sum.indices { sum[i] += w * x[i] }
        }
        let total = ws.reduce(0, +)
        return sum.map { $0 / total }
    }

    /// numpy's median: the middle value, or the mean of the two middle values.
    public static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        let n = sorted.count
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
    }

    /// Update indices from best to worst Krum score (sum of squared distances to the
    /// max(1, n − f − 2) nearest others), ties by index.
    public static func krumOrder(_ xs: [[Double]], f: Int) -> [Int] {
        let n = xs.count
        let nearest = max(1, n - f - 2)
        func squaredDistance(_ a: [Double], _ b: [Double]) -> Double {
            var sum = 0.0
            for i in a.indices { sum += (a[i] - b[i]) * (a[i] - b[i]) }
            return sum
        }
        let scores: [Double] = (0..<n).map { i in
            let distances = (0..<n).filter { $0 != i }.map { squaredDistance(xs[i], xs[$0]) }
            return distances.sorted().prefix(nearest).reduce(0, +)
        }
        return (0..<n).sorted { (scores[$0], $0) < (scores[$1], $1) }
    }

    static func coordinateWise(_ xs: [[Double]], _ statistic: ([Double]) -> Double) -> [Double] {
        var column = [Double](repeating: 0, count: xs.count)
        return (0..<xs[0].count).map { i in
            for row in xs.indices { column[row] = xs[row][i] }
            return statistic(column)
        }
    }

    static func flatten(_ model: ModelParameters) -> [Double] {
        model.tensors.flatMap { $0.values.map(Double.init) }
    }

    static func unflatten(_ values: [Double], like layout: ModelParameters) -> ModelParameters {
        var offset = 0
        return ModelParameters(tensors: layout.tensors.map { tensor in
            defer { offset += tensor.values.count }
            return Tensor(name: tensor.name, shape: tensor.shape, values: values[offset..<offset + tensor.values.count].map { Float($0) })
        })
    }
}
