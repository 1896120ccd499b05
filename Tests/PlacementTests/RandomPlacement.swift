import Foundation
import Placement
import Shared

/// Seeded random fleets, specs and contexts for the property tests: small pools of keys and
/// values so selectors hit and miss, canonically equivalent spellings ("é" and "e\u{301}"),
/// long value lists, repeated names, out-of-range scores and every taint effect.
struct RandomPlacement {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    /// SplitMix64: fixed results for a seed on every platform and Swift version.
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }

    mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(next() % UInt64(range.count)) }
    mutating func chance(_ percent: Int) -> Bool { int(0...99) < percent }
    mutating func pick<T>(_ items: [T]) -> T { items[int(0...items.count - 1)] }
    mutating func some<T>(_ items: [T], max: Int) -> [T] { (0..<int(0...max)).map { _ in pick(items) } }

    static let now = Date(timeIntervalSince1970: 1_700_000_000)
    static let keys = ["region", "tier", "zone", ManagedCluster.clusterSetLabel, "platform", "data"]
    static let values = ["eu", "us", "ap", "gold", "silver", "fl", "edge", "global", "default", "é", "e\u{301}", "", "/data/1", "k8s"]
    static let scoreKeys = ["default/cpuratio", "cpuratio", "other/gpu", "gpu"]
    static let taintKeys = [Taint.unavailableKey, Taint.unreachableKey, "custom"]

    mutating func name() -> String { pick(["c", "cluster-", "é-", "b"]) + String(int(0...40)) }

    mutating func attributes() -> [String: String] {
        var result: [String: String] = [:]
        for _ in 0..<int(0...5) { result[pick(Self.keys)] = pick(Self.values) }
        return result
    }

    mutating func cluster(named name: String) -> ManagedCluster {
        var scores: [String: Int] = [:]
        for _ in 0..<int(0...2) { scores[pick(Self.scoreKeys)] = int(-150...150) }
        let taints = (0..<int(0...2)).map { _ in
            Taint(
                key: pick(Self.taintKeys), value: chance(30) ? pick(["x", "y", ""]) : nil,
                effect: pick(TaintEffect.allCases), timeAdded: Self.now.addingTimeInterval(-Double(int(0...600)))
            )
        }
        return ManagedCluster(
            name: name, labels: attributes(), claims: attributes(),
            resources: ClusterResources(cpuMillicores: Int64(pick([1000, 2000, int(0...64_000)])), memoryBytes: Int64(int(0...4)) << 30),
            scores: scores, taints: taints
        )
    }

    /// Unique names unless `repeats`: the array form of the scheduler accepts repeated names.
    mutating func fleet(repeats: Bool = false) -> [ManagedCluster] {
        var names = Set<String>()
        return (0..<int(0...40)).compactMap { _ in
            let name = name()
            guard repeats || names.insert(name).inserted else { return nil }
            return cluster(named: name)
        }
    }

    mutating func requirement() -> SelectorRequirement {
        let op = pick(SelectorOperator.allCases)
        let listed = op == .in || op == .notIn
        // Lists over 8 values take the binary-search path.
        return SelectorRequirement(key: pick(Self.keys + ["absent"]), operator: op, values: listed ? some(Self.values + ["nowhere"], max: 12) : nil)
    }

    mutating func spec() -> PlacementSpec {
        let predicates = (0..<int(0...3)).map { _ in
            ClusterPredicate(requiredClusterSelector: chance(10) ? nil : ClusterSelector(
                labelSelector: chance(70) ? LabelSelector(
                    matchLabels: chance(50) ? Dictionary(some(Self.keys, max: 2).map { ($0, pick(Self.values)) }, uniquingKeysWith: { $1 }) : nil,
                    matchExpressions: (0..<int(0...2)).map { _ in requirement() }
                ) : nil,
                claimSelector: chance(60) ? ClusterClaimSelector(matchExpressions: (0..<int(0...2)).map { _ in requirement() }) : nil
            ))
        }
        let coordinates: [ScoreCoordinate] = BuiltInPrioritizer.allCases.map { .builtIn($0) } + [
            .addOn(resourceName: "default", scoreName: "cpuratio"), .addOn(resourceName: "other", scoreName: "gpu"),
            .addOn(resourceName: "none", scoreName: "none"),
        ]
        let configurations = (0..<int(0...4)).map { _ in
            PrioritizerConfig(scoreCoordinate: pick(coordinates), weight: chance(20) ? nil : Int32(int(-10...10)))
        }
        let tolerations = (0..<int(0...2)).map { _ in
            let exists = chance(50)
            return Toleration(
                key: chance(20) ? nil : pick(Self.taintKeys), operator: exists ? .exists : pick([nil, .equal]),
                value: exists ? nil : pick([nil, "x", ""]), effect: chance(50) ? nil : pick(TaintEffect.allCases),
                tolerationSeconds: chance(50) ? Int64(int(0...700)) : nil
            )
        }
        return PlacementSpec(
            clusterSets: pick([nil, [], ["global"], ["fl"], ["fl", "edge"], ["nowhere"], ["default"], ["fl", "default"]]),
            numberOfClusters: chance(40) ? nil : Int32(int(0...20)),
            predicates: chance(15) ? nil : predicates,
            prioritizerPolicy: chance(20) ? nil : PrioritizerPolicy(mode: pick([nil, .additive, .exact]), configurations: configurations),
            tolerations: chance(20) ? nil : tolerations
        )
    }

    mutating func context(for fleet: [ManagedCluster]) -> SchedulingContext {
        let names = fleet.map(\.name) + ["gone-1", "gone-2"]
        return SchedulingContext(
            now: Self.now,
            currentDecision: Set(some(names, max: 8)),
            otherPlacementDecisions: Dictionary(some(names, max: 10).map { ($0, int(0...4)) }, uniquingKeysWith: { $1 }),
            boundClusterSets: chance(80) ? nil : Set(some(["global", "fl", "edge", "default"], max: 2))
        )
    }
}
