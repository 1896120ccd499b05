import Foundation
import Placement
import Shared
import Testing

/// Candidates by cluster set: membership label, `global`, empty list, bindings.
@Suite struct ClusterSetTests {
    static let clusters = [
        Fixtures.cluster("a", set: "s1"),
        Fixtures.cluster("b", set: "s2"),
        Fixtures.cluster("c"),
        Fixtures.cluster("d", set: ""),  // an empty label is no set either
    ]

    struct Case: Sendable, CustomTestStringConvertible {
        let clusterSets: [String]?
        var bound: Set<String>?
        let expected: [String]
        let reason: PlacementSatisfiedReason
        var testDescription: String { "clusterSets \(clusterSets.map { "\($0)" } ?? "nil") bound \(bound.map { "\($0.sorted())" } ?? "all")" }
    }

    @Test(arguments: [
        Case(clusterSets: nil, expected: ["a", "b", "c", "d"], reason: .allDecisionsScheduled),
        Case(clusterSets: [], expected: ["a", "b", "c", "d"], reason: .allDecisionsScheduled),
        Case(clusterSets: ["global"], expected: ["a", "b", "c", "d"], reason: .allDecisionsScheduled),
        Case(clusterSets: ["s1"], expected: ["a"], reason: .allDecisionsScheduled),
        Case(clusterSets: ["s1", "s2"], expected: ["a", "b"], reason: .allDecisionsScheduled),
        Case(clusterSets: ["s1", "global"], expected: ["a", "b", "c", "d"], reason: .allDecisionsScheduled),
        Case(clusterSets: ["empty"], expected: [], reason: .allManagedClusterSetsEmpty),
        // OCM's DefaultClusterSet: a cluster without the set label is in `default`.
        Case(clusterSets: ["default"], expected: ["c", "d"], reason: .allDecisionsScheduled),
        Case(clusterSets: ["s1", "default"], expected: ["a", "c", "d"], reason: .allDecisionsScheduled),
        Case(clusterSets: ["default"], bound: ["default"], expected: ["c", "d"], reason: .allDecisionsScheduled),
        // With bindings modelled: empty clusterSets means every bound set (OCM).
        Case(clusterSets: nil, bound: ["s1"], expected: ["a"], reason: .allDecisionsScheduled),
        Case(clusterSets: ["s1", "s2"], bound: ["s2"], expected: ["b"], reason: .allDecisionsScheduled),
        Case(clusterSets: ["s2"], bound: ["s1"], expected: [], reason: .noIntersection),
        Case(clusterSets: ["s1"], bound: [], expected: [], reason: .noManagedClusterSetBindings),
    ])
    func candidates(_ testCase: Case) {
        let decision = Fixtures.schedule(PlacementSpec(clusterSets: testCase.clusterSets), Self.clusters, bound: testCase.bound)
        #expect(decision.selected == testCase.expected)
        #expect(decision.condition.reason == testCase.reason)
    }

    @Test func nonMembersAreExplained() throws {
        let decision = Fixtures.schedule(PlacementSpec(clusterSets: ["s2", "s1"]), Self.clusters)
        let c = try #require(decision.explanation(for: "c"))
        #expect(c.filteredBy == "clusterSets")
        #expect(c.filterReason == "not a member of cluster sets [s1, s2]")
        #expect(decision.explanations.map(\.cluster) == ["a", "b", "c", "d"])
    }

    @Test func emptySetMessageNamesTheSets() {
        let decision = Fixtures.schedule(PlacementSpec(clusterSets: ["x", "w"]), Self.clusters)
        #expect(decision.condition == PlacementCondition(
            satisfied: false, reason: .allManagedClusterSetsEmpty,
            message: "All ManagedClusterSets [w,x] have no member ManagedCluster"
        ))
    }
}
