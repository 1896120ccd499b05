import Foundation
import Placement
import Shared
import Testing

/// Each prioritizer's arithmetic, alone (Exact mode, weight 1).
@Suite struct PrioritizerTests {
    @Test(arguments: [
        (Set<String>(), ["a": 0, "b": 0]),
        (Set(["b"]), ["a": 0, "b": 100]),
        (Set(["a", "b", "gone"]), ["a": 100, "b": 100]),
    ])
    func steady(current: Set<String>, expected: [String: Int]) {
        let clusters = [Fixtures.cluster("a"), Fixtures.cluster("b")]
        #expect(Fixtures.scoresOf(.builtIn(.steady), clusters, current: current) == expected)
    }

    struct BalanceCase: Sendable, CustomTestStringConvertible {
        let others: [String: Int]
        let expected: [String: Int]
        var testDescription: String { "\(others.sorted { $0.key < $1.key })" }
    }

    @Test(arguments: [
        BalanceCase(others: [:], expected: ["a": 100, "b": 100, "c": 100, "d": 100]),
        // 2 * trunc(100 * (0.5 - count/max)): 3/3 → -100, 1/3 → 2*16 = 32, 2/3 → 2*(-16) = -32, absent → 100.
        BalanceCase(others: ["a": 3, "b": 1, "c": 2], expected: ["a": -100, "b": 32, "c": -32, "d": 100]),
        // maxCount comes from every selected cluster, candidate or not; a zero count is "not selected".
        BalanceCase(others: ["z": 4, "a": 1, "b": 0], expected: ["a": 50, "b": 100, "c": 100, "d": 100]),
        BalanceCase(others: ["a": 1, "b": 1], expected: ["a": -100, "b": -100, "c": 100, "d": 100]),
        BalanceCase(others: ["a": 2, "b": 1], expected: ["a": -100, "b": 0, "c": 100, "d": 100]),
    ])
    func balance(_ testCase: BalanceCase) {
        let clusters = ["a", "b", "c", "d"].map { Fixtures.cluster($0) }
        #expect(Fixtures.scoresOf(.builtIn(.balance), clusters, others: testCase.others) == testCase.expected)
    }

    struct ResourceCase: Sendable, CustomTestStringConvertible {
        let name: String
        let prioritizer: BuiltInPrioritizer
        let amounts: [Int64]
        let expected: [Int]
        var testDescription: String { "\(prioritizer.rawValue) \(name)" }
    }

    @Test(arguments: [
        // ((x - min) / (max - min) - 0.5) * 200, truncated toward zero.
        ResourceCase(name: "spread", prioritizer: .resourceAllocatableCPU, amounts: [1000, 2000, 4000], expected: [-100, -33, 100]),
        ResourceCase(name: "truncation", prioritizer: .resourceAllocatableCPU, amounts: [1000, 1500, 4000], expected: [-100, -66, 100]),
        ResourceCase(name: "midpoint", prioritizer: .resourceAllocatableCPU, amounts: [500, 750, 1000], expected: [-100, 0, 100]),
        ResourceCase(name: "all equal", prioritizer: .resourceAllocatableCPU, amounts: [2000, 2000], expected: [100, 100]),
        ResourceCase(name: "single", prioritizer: .resourceAllocatableCPU, amounts: [3000], expected: [100]),
        ResourceCase(name: "spread", prioritizer: .resourceAllocatableMemory, amounts: [1 << 30, 3 << 30, 2 << 30], expected: [-100, 100, 0]),
        // Same IEEE arithmetic as OCM: (0.4 - 0.5) * 2 * 100 = -19.999… truncates to -19, not -20.
        ResourceCase(name: "fifths", prioritizer: .resourceAllocatableMemory, amounts: [0, 1, 2, 3, 4, 5], expected: [-100, -60, -19, 19, 60, 100]),
        ResourceCase(name: "all equal", prioritizer: .resourceAllocatableMemory, amounts: [7, 7, 7], expected: [100, 100, 100]),
    ])
    func resourceAllocatable(_ testCase: ResourceCase) {
        let clusters = testCase.amounts.enumerated().map { index, amount in
            testCase.prioritizer == .resourceAllocatableCPU
                ? Fixtures.cluster("c\(index)", cpuMillicores: amount)
                : Fixtures.cluster("c\(index)", memoryBytes: amount)
        }
        let scores = Fixtures.scoresOf(.builtIn(testCase.prioritizer), clusters)
        #expect(testCase.amounts.indices.map { scores["c\($0)"] } == testCase.expected)
    }

    @Test func resourceNormalisesOverFeasibleClustersOnly() {
        let clusters = [
            Fixtures.cluster("a", labels: ["ok": "1"], cpuMillicores: 1000),
            Fixtures.cluster("b", labels: ["ok": "1"], cpuMillicores: 2000),
            Fixtures.cluster("huge", cpuMillicores: 64000),
        ]
        let spec = PlacementSpec(
            predicates: [Fixtures.labelPredicate(matchLabels: ["ok": "1"])],
            prioritizerPolicy: Fixtures.exact([(.builtIn(.resourceAllocatableCPU), 1)])
        )
        let decision = Fixtures.schedule(spec, clusters)
        #expect(decision.explanation(for: "a")?.scores.first?.score == -100)
        #expect(decision.explanation(for: "b")?.scores.first?.score == 100)
        #expect(decision.explanation(for: "huge")?.scores.isEmpty == true)
    }

    @Test func addOnScores() {
        let clusters = [
            Fixtures.cluster("a", scores: ["res/s": 50]),
            Fixtures.cluster("b", scores: ["s": 30]),
            Fixtures.cluster("c"),
            Fixtures.cluster("d", scores: ["res/s": 250]),
            Fixtures.cluster("e", scores: ["res/s": -300]),
            Fixtures.cluster("f", scores: ["res/s": 10, "s": 99]),
            Fixtures.cluster("g", scores: ["other/s": 70, "res/t": 40]),
        ]
        let scores = Fixtures.scoresOf(.addOn(resourceName: "res", scoreName: "s"), clusters)
        #expect(scores == ["a": 50, "b": 30, "c": 0, "d": 100, "e": -100, "f": 10, "g": 0])
    }
}

/// Modes, weights, totals and ranking.
@Suite struct PrioritizerPolicyTests {
    struct ModeCase: Sendable, CustomTestStringConvertible {
        let name: String
        let policy: PrioritizerPolicy?
        let expected: [String]
        var testDescription: String { name }
    }

    static func config(_ coordinate: ScoreCoordinate, _ weight: Int32?) -> PrioritizerConfig {
        PrioritizerConfig(scoreCoordinate: coordinate, weight: weight)
    }

    @Test(arguments: [
        ModeCase(name: "unset policy is Additive", policy: nil, expected: ["Balance×1", "Steady×1"]),
        ModeCase(name: "Additive without configurations", policy: PrioritizerPolicy(mode: .additive), expected: ["Balance×1", "Steady×1"]),
        ModeCase(
            name: "Additive adds",
            policy: PrioritizerPolicy(configurations: [config(.builtIn(.resourceAllocatableCPU), 2)]),
            expected: ["Balance×1", "Steady×1", "ResourceAllocatableCPU×2"]
        ),
        ModeCase(
            name: "Additive overrides a default",
            policy: PrioritizerPolicy(mode: .additive, configurations: [config(.builtIn(.balance), 3)]),
            expected: ["Balance×3", "Steady×1"]
        ),
        ModeCase(
            name: "weight 0 disables",
            policy: PrioritizerPolicy(mode: .additive, configurations: [config(.builtIn(.steady), 0)]),
            expected: ["Balance×1"]
        ),
        ModeCase(
            name: "Exact uses only the listed, default weight 1",
            policy: PrioritizerPolicy(mode: .exact, configurations: [config(.builtIn(.resourceAllocatableMemory), nil)]),
            expected: ["ResourceAllocatableMemory×1"]
        ),
        ModeCase(name: "Exact with nothing listed", policy: PrioritizerPolicy(mode: .exact), expected: []),
        ModeCase(
            name: "the last configuration of a coordinate wins",
            policy: PrioritizerPolicy(mode: .exact, configurations: [config(.builtIn(.steady), 2), config(.builtIn(.steady), -1)]),
            expected: ["Steady×-1"]
        ),
        ModeCase(
            name: "AddOn and negative weights",
            policy: PrioritizerPolicy(mode: .exact, configurations: [
                config(.builtIn(.resourceAllocatableCPU), -10), config(.addOn(resourceName: "res", scoreName: "s"), 10),
            ]),
            expected: ["ResourceAllocatableCPU×-10", "AddOn/res/s×10"]
        ),
        ModeCase(
            name: "unknown built-in is skipped",
            policy: PrioritizerPolicy(mode: .exact, configurations: [config(ScoreCoordinate(type: "BuiltIn", builtIn: "Spread"), 1)]),
            expected: []
        ),
    ])
    func modes(_ testCase: ModeCase) throws {
        let decision = Fixtures.schedule(PlacementSpec(prioritizerPolicy: testCase.policy), [Fixtures.cluster("a")])
        let scores = try #require(decision.explanation(for: "a")).scores
        #expect(scores.map { "\($0.name)×\($0.weight)" } == testCase.expected)
    }

    @Test func totalIsTheWeightedSum() throws {
        let clusters = [
            Fixtures.cluster("a", cpuMillicores: 1000, scores: ["res/s": 20]),
            Fixtures.cluster("b", cpuMillicores: 3000, scores: ["res/s": 100]),
        ]
        let spec = PlacementSpec(prioritizerPolicy: PrioritizerPolicy(configurations: [
            PrioritizerConfig(scoreCoordinate: .builtIn(.resourceAllocatableCPU), weight: 2),
            PrioritizerConfig(scoreCoordinate: .addOn(resourceName: "res", scoreName: "s"), weight: -3),
        ]))
        let decision = Fixtures.schedule(spec, clusters, current: ["a"], others: ["b": 2])
        let a = try #require(decision.explanation(for: "a"))
        #expect(a.scores == [
            PrioritizerScore(name: "Balance", score: 100, weight: 1),
            PrioritizerScore(name: "Steady", score: 100, weight: 1),
            PrioritizerScore(name: "ResourceAllocatableCPU", score: -100, weight: 2),
            PrioritizerScore(name: "AddOn/res/s", score: 20, weight: -3),
        ])
        #expect(a.total == 100 + 100 - 200 - 60)
        // b: Balance -100, Steady 0, CPU 100*2, AddOn 100*-3.
        #expect(decision.explanation(for: "b")?.total == -100 + 0 + 200 - 300)
        #expect(decision.selected == ["a", "b"])
    }

    @Test(arguments: [(Int32(1), ["c", "b", "a"]), (Int32(-1), ["a", "b", "c"])])
    func weightSignOrdersTheRanking(weight: Int32, expected: [String]) {
        let clusters = [
            Fixtures.cluster("a", cpuMillicores: 1000),
            Fixtures.cluster("b", cpuMillicores: 2000),
            Fixtures.cluster("c", cpuMillicores: 4000),
        ]
        let spec = PlacementSpec(prioritizerPolicy: Fixtures.exact([(.builtIn(.resourceAllocatableCPU), weight)]))
        #expect(Fixtures.schedule(spec, clusters).selected == expected)
    }

    @Test(arguments: [
        (Set<String>(), ["a", "b", "c", "d"]),
        (Set(["d"]), ["d", "a", "b", "c"]),
        (Set(["c", "b"]), ["b", "c", "a", "d"]),
    ])
    func tiesBreakByName(current: Set<String>, expected: [String]) {
        // Unsorted input: the order of the input must not matter.
        let clusters = ["c", "a", "d", "b"].map { Fixtures.cluster($0) }
        let spec = PlacementSpec(prioritizerPolicy: Fixtures.exact([(.builtIn(.steady), 1)]))
        let decision = Fixtures.schedule(spec, clusters, current: current)
        #expect(decision.selected == expected)
        #expect(decision.explanations.map(\.cluster) == ["a", "b", "c", "d"])
    }
}

/// Name order: explanations and tie-breaks follow `String <` whatever the input order.
@Suite struct NameOrderTests {
    static let nameSets: [[String]] = [
        (0..<300).map { "cluster-\($0)" },
        ["b", "a", "ab", "a-b", "aa", "", "z9", "z10"],
        ["same-prefix-long-name-2", "same-prefix-long-name-10", "same-prefix-long-name-1", "same-prefix-long"],
        ["é", "e", "f", "ê-cluster", "e-cluster"],
        ["x"],
        [],
    ]

    @Test(arguments: nameSets)
    func explanationsFollowStringOrder(names: [String]) {
        let clusters = names.reversed().map { Fixtures.cluster($0) }
        let spec = PlacementSpec(prioritizerPolicy: PrioritizerPolicy(mode: .exact))
        let decision = Fixtures.schedule(spec, clusters)
        #expect(decision.explanations.map(\.cluster) == names.sorted())
        #expect(decision.selected == names.sorted())
    }
}
