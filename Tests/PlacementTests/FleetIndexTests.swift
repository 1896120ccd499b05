import Foundation
import Testing
@testable import Placement
import Shared

/// `FleetIndex` maintenance: what upserts and removals leave behind, and that reclaiming
/// space (the rebuild) changes no answer.
@Suite struct FleetIndexTests {
    static func cluster(_ name: String, labels: [String: String] = [:], claims: [String: String] = [:]) -> ManagedCluster {
        ManagedCluster(name: name, labels: labels, claims: claims)
    }

    @Test func upsertAddsOrReplacesAndKeepsNameOrder() {
        var index = FleetIndex()
        for name in ["c3", "c1", "c10", "c2"] { index.upsert(Self.cluster(name)) }
        #expect(index.sortedClusters.map(\.name) == ["c1", "c10", "c2", "c3"])
        let replaced = Self.cluster("c2", labels: ["tier": "gold"])
        index.upsert(replaced)
        #expect(index.count == 4 && index["c2"] == replaced)
        #expect(index.sortedClusters.map(\.name) == ["c1", "c10", "c2", "c3"])
    }

    @Test func removeReturnsTheClusterAndItsSlotIsReused() {
        var index = FleetIndex([Self.cluster("a"), Self.cluster("b"), Self.cluster("c")])
        #expect(index.remove(named: "b") == Self.cluster("b"))
        #expect(index.remove(named: "b") == nil && index["b"] == nil)
        #expect(index.sortedClusters.map(\.name) == ["a", "c"])
        index.upsert(Self.cluster("0"))
        #expect(index.sortedClusters.map(\.name) == ["0", "a", "c"])
        #expect(index.names.count == 3, "the freed slot was reused")
    }

    @Test func ofRepeatedNamesTheLastWinsAsWithUpserts() {
        let index = FleetIndex([Self.cluster("a", labels: ["v": "1"]), Self.cluster("b"), Self.cluster("a", labels: ["v": "2"])])
        #expect(index.count == 2 && index["a"]?.labels == ["v": "2"])
    }

    /// A label and a claim with the same key are different attributes.
    @Test func labelsAndClaimsWithOneKeyStayApart() {
        let spec = PlacementSpec(predicates: [Fixtures.claimPredicate([SelectorRequirement(key: "k", operator: .in, values: ["claim"])])])
        let fleet = [Self.cluster("a", labels: ["k": "claim"]), Self.cluster("b", claims: ["k": "claim"])]
        #expect(Fixtures.schedule(spec, fleet).selected == ["b"])
    }

    /// Lists longer than 8 values are binary-searched; every position must still be found.
    @Test func longValueListsMatchLikeASet() {
        let fleet = (0..<40).map { Self.cluster("c\($0)", labels: ["v": "value-\($0)"]) }
        let index = FleetIndex(fleet)
        for length in [9, 12, 20, 33] {
            for offset in 0..<7 {
                let listed = (0..<length).map { "value-\(($0 * 3 + offset) % 40)" }
                let spec = PlacementSpec(predicates: [Fixtures.labelPredicate(expressions: [SelectorRequirement(key: "v", operator: .in, values: listed)])])
                let selected = PlacementScheduler().schedule(spec, fleet: index, context: SchedulingContext(now: Fixtures.t0)).selected
                let expected = fleet.filter { listed.contains($0.labels["v"]!) }.map(\.name)
                #expect(Set(selected) == Set(expected), "length \(length), offset \(offset)")
            }
        }
    }

    /// Values that change on every update (and labels that come and go) leave dead entries and
    /// interned strings behind; the index rebuilds before they outgrow the live ones, and
    /// decides exactly as an index built afresh.
    @Test func churnStaysBoundedAndDecidesAsAFreshIndex() {
        var random = RandomPlacement(seed: 7)
        var index = FleetIndex()
        for update in 0..<30_000 {
            var labels = ["revision": "r\(update)", "region": random.pick(["eu", "us"])]
            if random.chance(50) { labels["extra-\(update % 7)"] = "x" }
            index.upsert(Self.cluster("c\(random.int(0...99))", labels: labels, claims: ["data": "/d/\(update)"]))
            if random.chance(5) { index.remove(named: "c\(random.int(0...99))") }
        }
        let live = index.sortedClusters.reduce(0) { $0 + $1.labels.count + $1.claims.count }
        #expect(index.attributes.count <= 2 * live + 4096 + 8)
        #expect(index.keys.count + index.values.count <= 2 * live + 4096 + 8)
        for _ in 0..<50 {
            let spec = random.spec()
            let context = random.context(for: index.sortedClusters)
            let fresh = FleetIndex(index.sortedClusters)
            #expect(PlacementScheduler().schedule(spec, fleet: index, context: context) == PlacementScheduler().schedule(spec, fleet: fresh, context: context))
        }
    }
}
