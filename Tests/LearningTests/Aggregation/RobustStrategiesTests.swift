import Testing
@testable import Learning

/// Median, trimmed mean, Krum and Multi-Krum against the float64 reference. Tolerance: 1e-5 of
/// max(1, |value|); selections (Krum) must pick the same updates, so Krum's result is bit-equal.
@Suite("Aggregation strategies: robust")
struct RobustStrategiesTests {
    typealias F = StrategyFixtures

    static func check(_ strategy: AggregationStrategy, clients: Int, seed: UInt64, clipNorm: Float? = nil, layout: ModelParameters = F.layout) throws {
        let (global, updates) = F.round(clients: clients, seed: seed, layout: layout)
        let configuration = AggregationConfiguration(strategy: strategy, clipNorm: clipNorm)
        let got = try F.aggregate(updates, global: global, configuration)
        let reference = ReferenceStrategies.aggregate(updates, global: global, configuration: configuration)
        #expect(F.worstError(got.model, reference.model) <= 1e-5, "\(strategy) with \(clients) clients")
    }

    @Test(arguments: [1, 2, 3, 5, 10, 17, 33])
    func medianMatchesReference(clients: Int) throws {
        try Self.check(.fedMedian, clients: clients, seed: UInt64(clients))
    }

    @Test(arguments: [0, 0.1, 0.2, 0.35, 0.45] as [Float])
    func trimmedMeanMatchesReference(beta: Float) throws {
        try Self.check(.trimmedMean(beta: beta), clients: 10, seed: 7)
        try Self.check(.trimmedMean(beta: beta), clients: 20, seed: 8)
    }

    @Test func trimmedCountFollowsPythonArithmetic() {
        #expect(AggregationStrategy.trimmedCount(beta: 0.35, updates: 20) == 7)
        #expect(AggregationStrategy.trimmedCount(beta: 0.2, updates: 10) == 2)
        #expect(AggregationStrategy.trimmedCount(beta: 0.45, updates: 3) == 1)
    }

    @Test(arguments: [0, 1, 2, 3])
    func krumMatchesReference(f: Int) throws {
        try Self.check(.krum(f: f), clients: 10, seed: 30 + UInt64(f))
        let (global, updates) = F.round(clients: 10, seed: 30 + UInt64(f))
        let got = try F.aggregate(updates, global: global, AggregationConfiguration(strategy: .krum(f: f)))
        #expect(updates.contains { $0.update == got.model }, "Krum returns one of the updates, unchanged")
    }

    @Test(arguments: [(0, 1), (1, 3), (2, 5), (3, 7)])
    func multiKrumMatchesReference(f: Int, m: Int) throws {
        try Self.check(.multiKrum(f: f, m: m), clients: 10, seed: 50 + UInt64(m))
    }

    @Test func robustStrategiesWithClippingMatchReference() throws {
        for strategy in [AggregationStrategy.fedMedian, .trimmedMean(beta: 0.2), .krum(f: 1), .multiKrum(f: 1, m: 3)] {
            try Self.check(strategy, clients: 8, seed: 77, clipNorm: 0.5)
        }
    }

    @Test func largeTensorsSplitAcrossCoresMatchReference() throws {
        for strategy in [AggregationStrategy.fedMedian, .trimmedMean(beta: 0.2), .multiKrum(f: 1, m: 2)] {
            try Self.check(strategy, clients: 5, seed: 9, layout: F.largeLayout)
        }
    }

    @Test(arguments: [2, 3, 4, 9, 16, 17, 50, 64, 100])
    func sortingNetworkSorts(count: Int) {
        let network = SortingNetwork(count: count, wanted: 0..<count)
        var generator = SeededGenerator(seed: UInt64(count))
        for _ in 0..<20 {
            var values = (0..<count).map { _ in generator.nextIndex(below: 10) }
            for (low, high) in network.pairs where values[low] > values[high] { values.swapAt(low, high) }
            #expect(values == values.sorted())
        }
    }
}
