import Foundation
import Placement
import Shared
import Testing

/// `numberOfClusters`, the `PlacementSatisfied` condition and explanation contents.
@Suite struct SelectionTests {
    /// Five feasible clusters ranked n5 > n4 > ... > n1 by CPU; one cluster filtered out.
    static let clusters = (1...5).map { Fixtures.cluster("n\($0)", labels: ["ok": "1"], cpuMillicores: Int64($0) * 1000) }
        + [Fixtures.cluster("out")]
    static let ranked = PlacementSpec(
        predicates: [Fixtures.labelPredicate(matchLabels: ["ok": "1"])],
        prioritizerPolicy: Fixtures.exact([(.builtIn(.resourceAllocatableCPU), 1)])
    )

    struct CountCase: Sendable, CustomTestStringConvertible {
        let numberOfClusters: Int32?
        let expected: [String]
        let condition: PlacementCondition
        var testDescription: String { "numberOfClusters \(numberOfClusters.map(String.init) ?? "nil")" }
    }

    @Test(arguments: [
        CountCase(numberOfClusters: nil, expected: ["n5", "n4", "n3", "n2", "n1"], condition: PlacementCondition(
            satisfied: true, reason: .allDecisionsScheduled, message: "All cluster decisions scheduled (5 selected)"
        )),
        CountCase(numberOfClusters: 2, expected: ["n5", "n4"], condition: PlacementCondition(
            satisfied: true, reason: .allDecisionsScheduled, message: "All cluster decisions scheduled (2 selected)"
        )),
        CountCase(numberOfClusters: 5, expected: ["n5", "n4", "n3", "n2", "n1"], condition: PlacementCondition(
            satisfied: true, reason: .allDecisionsScheduled, message: "All cluster decisions scheduled (5 selected)"
        )),
        CountCase(numberOfClusters: 7, expected: ["n5", "n4", "n3", "n2", "n1"], condition: PlacementCondition(
            satisfied: false, reason: .notAllDecisionsScheduled,
            message: "2 cluster decisions unscheduled: expected 7, only 5"
        )),
        // OCM: asking for zero is satisfied with zero.
        CountCase(numberOfClusters: 0, expected: [], condition: PlacementCondition(
            satisfied: true, reason: .allDecisionsScheduled, message: "All cluster decisions scheduled (0 selected)"
        )),
    ])
    func numberOfClusters(_ testCase: CountCase) {
        var spec = Self.ranked
        spec.numberOfClusters = testCase.numberOfClusters
        let decision = Fixtures.schedule(spec, Self.clusters)
        #expect(decision.selected == testCase.expected)
        #expect(decision.condition == testCase.condition)
        #expect(decision.explanations.filter(\.selected).map(\.cluster).sorted() == testCase.expected.sorted())
    }

    struct ReasonCase: Sendable, CustomTestStringConvertible {
        let spec: PlacementSpec
        let clusters: [ManagedCluster]
        var bound: Set<String>? = nil
        let reason: PlacementSatisfiedReason
        let satisfied: Bool
        var testDescription: String { reason.rawValue }
    }

    @Test(arguments: [
        ReasonCase(spec: PlacementSpec(), clusters: [Fixtures.cluster("a")], bound: [],
                   reason: .noManagedClusterSetBindings, satisfied: false),
        ReasonCase(spec: PlacementSpec(clusterSets: ["s1"]), clusters: [Fixtures.cluster("a")], bound: ["s2"],
                   reason: .noIntersection, satisfied: false),
        ReasonCase(spec: PlacementSpec(), clusters: [], reason: .allManagedClusterSetsEmpty, satisfied: false),
        ReasonCase(spec: PlacementSpec(clusterSets: ["s1"]), clusters: [Fixtures.cluster("a", set: "s2")],
                   reason: .allManagedClusterSetsEmpty, satisfied: false),
        ReasonCase(spec: PlacementSpec(predicates: [Fixtures.labelPredicate(matchLabels: ["x": "y"])]),
                   clusters: [Fixtures.cluster("a")], reason: .noManagedClusterMatched, satisfied: false),
        ReasonCase(spec: PlacementSpec(), clusters: [Fixtures.cluster("a", taints: [
            Taint(key: Taint.unavailableKey, effect: .noSelect, timeAdded: Fixtures.t0),
        ])], reason: .noManagedClusterMatched, satisfied: false),
        ReasonCase(spec: PlacementSpec(numberOfClusters: 2), clusters: [Fixtures.cluster("a")],
                   reason: .notAllDecisionsScheduled, satisfied: false),
        ReasonCase(spec: PlacementSpec(numberOfClusters: 1), clusters: [Fixtures.cluster("a")],
                   reason: .allDecisionsScheduled, satisfied: true),
    ])
    func satisfiedReasons(_ testCase: ReasonCase) {
        let decision = Fixtures.schedule(testCase.spec, testCase.clusters, bound: testCase.bound)
        #expect(decision.condition.reason == testCase.reason)
        #expect(decision.condition.satisfied == testCase.satisfied)
    }

    @Test func noMatchMessageIsOCMs() {
        let decision = Fixtures.schedule(
            PlacementSpec(predicates: [Fixtures.labelPredicate(matchLabels: ["x": "y"])]), [Fixtures.cluster("a")]
        )
        #expect(decision.condition.message == "No ManagedCluster matches any of the cluster predicate")
        #expect(decision.selected.isEmpty)
    }

    @Test func explanationsCoverEveryCluster() {
        let clusters = [
            Fixtures.cluster("west", set: "fl", claims: ["data": "/w"], cpuMillicores: 2000),
            Fixtures.cluster("east", set: "fl", claims: ["data": "/e"], cpuMillicores: 1000),
            Fixtures.cluster("dry", set: "fl"),
            Fixtures.cluster("down", set: "fl", claims: ["data": "/d"], taints: [
                Taint(key: Taint.unavailableKey, effect: .noSelect, timeAdded: Fixtures.t0),
            ]),
            Fixtures.cluster("elsewhere", set: "other", claims: ["data": "/x"]),
        ]
        let spec = PlacementSpec(
            clusterSets: ["fl"],
            numberOfClusters: 1,
            predicates: [Fixtures.claimPredicate([SelectorRequirement(key: "data", operator: .exists)])],
            prioritizerPolicy: PrioritizerPolicy(configurations: [
                PrioritizerConfig(scoreCoordinate: .builtIn(.resourceAllocatableCPU), weight: 1),
            ])
        )
        let decision = Fixtures.schedule(spec, clusters)
        #expect(decision.selected == ["west"])
        #expect(decision.explanations == [
            ClusterExplanation(
                cluster: "down", filteredBy: "taintToleration",
                filterReason: "taint cluster.open-cluster-management.io/unavailable:NoSelect is not tolerated"
            ),
            ClusterExplanation(
                cluster: "dry", filteredBy: "predicates",
                filterReason: "predicates[0].requiredClusterSelector.claimSelector.matchExpressions[0]: claim \"data\" does not exist"
            ),
            ClusterExplanation(cluster: "east", scores: [
                PrioritizerScore(name: "Balance", score: 100, weight: 1),
                PrioritizerScore(name: "Steady", score: 0, weight: 1),
                PrioritizerScore(name: "ResourceAllocatableCPU", score: -100, weight: 1),
            ], total: 0, selected: false),
            ClusterExplanation(
                cluster: "elsewhere", filteredBy: "clusterSets", filterReason: "not a member of cluster sets [fl]"
            ),
            ClusterExplanation(cluster: "west", scores: [
                PrioritizerScore(name: "Balance", score: 100, weight: 1),
                PrioritizerScore(name: "Steady", score: 0, weight: 1),
                PrioritizerScore(name: "ResourceAllocatableCPU", score: 100, weight: 1),
            ], total: 200, selected: true),
        ])
        #expect(decision.condition.reason == .allDecisionsScheduled)
        #expect(decision.requeueAfter == nil)
    }

    @Test func decisionRoundTripsThroughJSON() throws {
        let decision = Fixtures.schedule(Self.ranked, Self.clusters)
        let data = try JSONEncoder().encode(decision)
        #expect(try JSONDecoder().decode(PlacementDecision.self, from: data) == decision)
        let json = try #require(String(data: data, encoding: .utf8))
        #expect(json.contains("\"reason\":\"AllDecisionsScheduled\""))
    }
}
