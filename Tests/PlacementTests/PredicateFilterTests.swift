import Foundation
import Placement
import Shared
import Testing

/// Predicates: each operator over labels and claims, `matchLabels`, OR across predicates, AND inside.
@Suite struct PredicateFilterTests {
    enum Source: String, CaseIterable, Sendable { case labels, claims }

    struct OperatorCase: Sendable, CustomTestStringConvertible {
        let requirement: SelectorRequirement
        let expected: [String]
        var testDescription: String {
            "\(requirement.operator.rawValue) \(requirement.values ?? []) → \(expected)"
        }
    }

    static let operatorCases: [OperatorCase] = [
        OperatorCase(requirement: SelectorRequirement(key: "env", operator: .in, values: ["prod"]), expected: ["a"]),
        OperatorCase(requirement: SelectorRequirement(key: "env", operator: .in, values: ["prod", "dev"]), expected: ["a", "b"]),
        OperatorCase(requirement: SelectorRequirement(key: "env", operator: .in, values: ["qa"]), expected: []),
        // NotIn matches a missing key (Kubernetes label-selector semantics).
        OperatorCase(requirement: SelectorRequirement(key: "env", operator: .notIn, values: ["prod"]), expected: ["b", "c"]),
        OperatorCase(requirement: SelectorRequirement(key: "env", operator: .notIn, values: ["prod", "dev"]), expected: ["c"]),
        OperatorCase(requirement: SelectorRequirement(key: "env", operator: .exists), expected: ["a", "b"]),
        OperatorCase(requirement: SelectorRequirement(key: "env", operator: .doesNotExist), expected: ["c"]),
        // More than 8 values takes the hashed path.
        OperatorCase(
            requirement: SelectorRequirement(key: "env", operator: .in, values: (0..<20).map { "v\($0)" } + ["dev"]),
            expected: ["b"]
        ),
    ]

    static func clusters(_ source: Source) -> [ManagedCluster] {
        let attributes: [(String, [String: String])] = [("a", ["env": "prod"]), ("b", ["env": "dev"]), ("c", ["other": "x"])]
        return attributes.map { name, values in
            source == .labels ? Fixtures.cluster(name, labels: values) : Fixtures.cluster(name, claims: values)
        }
    }

    @Test(arguments: operatorCases, Source.allCases)
    func selectorOperator(_ testCase: OperatorCase, source: Source) {
        let predicate = source == .labels
            ? Fixtures.labelPredicate(expressions: [testCase.requirement])
            : Fixtures.claimPredicate([testCase.requirement])
        let decision = Fixtures.schedule(PlacementSpec(predicates: [predicate]), Self.clusters(source))
        #expect(decision.selected == testCase.expected)
    }

    @Test func labelsAndClaimsAreSeparateNamespaces() {
        let clusters = [Fixtures.cluster("a", labels: ["data": "x"]), Fixtures.cluster("b", claims: ["data": "x"])]
        let byClaim = Fixtures.schedule(
            PlacementSpec(predicates: [Fixtures.claimPredicate([SelectorRequirement(key: "data", operator: .exists)])]), clusters
        )
        #expect(byClaim.selected == ["b"])
    }

    struct MatchLabelsCase: Sendable, CustomTestStringConvertible {
        let matchLabels: [String: String]
        let expected: [String]
        var testDescription: String { "\(matchLabels.sorted { $0.key < $1.key }) → \(expected)" }
    }

    @Test(arguments: [
        MatchLabelsCase(matchLabels: ["env": "prod"], expected: ["a", "b"]),
        MatchLabelsCase(matchLabels: ["env": "prod", "tier": "gold"], expected: ["a"]),
        MatchLabelsCase(matchLabels: ["tier": "gold"], expected: ["a", "c"]),
        MatchLabelsCase(matchLabels: ["env": "qa"], expected: []),
        MatchLabelsCase(matchLabels: [:], expected: ["a", "b", "c"]),
    ])
    func matchLabels(_ testCase: MatchLabelsCase) {
        let clusters = [
            Fixtures.cluster("a", labels: ["env": "prod", "tier": "gold"]),
            Fixtures.cluster("b", labels: ["env": "prod", "tier": "silver"]),
            Fixtures.cluster("c", labels: ["env": "dev", "tier": "gold"]),
        ]
        let spec = PlacementSpec(predicates: [Fixtures.labelPredicate(matchLabels: testCase.matchLabels)])
        #expect(Fixtures.schedule(spec, clusters).selected == testCase.expected)
    }

    static let combinationClusters = [
        Fixtures.cluster("both", labels: ["env": "prod"], claims: ["data": "/d/both"]),
        Fixtures.cluster("label-only", labels: ["env": "prod"]),
        Fixtures.cluster("claim-only", claims: ["data": "/d/claim"]),
        Fixtures.cluster("neither", labels: ["env": "dev"]),
    ]

    struct CombinationCase: Sendable, CustomTestStringConvertible {
        let name: String
        let predicates: [ClusterPredicate]?
        let expected: [String]
        var testDescription: String { name }
    }

    static let envProd = SelectorRequirement(key: "env", operator: .in, values: ["prod"])
    static let dataExists = SelectorRequirement(key: "data", operator: .exists)

    @Test(arguments: [
        CombinationCase(
            name: "OR across predicates",
            predicates: [Fixtures.labelPredicate(expressions: [envProd]), Fixtures.claimPredicate([dataExists])],
            expected: ["both", "claim-only", "label-only"]
        ),
        CombinationCase(
            name: "AND of labelSelector and claimSelector",
            predicates: [ClusterPredicate(requiredClusterSelector: ClusterSelector(
                labelSelector: LabelSelector(matchExpressions: [envProd]),
                claimSelector: ClusterClaimSelector(matchExpressions: [dataExists])
            ))],
            expected: ["both"]
        ),
        CombinationCase(
            name: "AND of matchLabels and matchExpressions",
            predicates: [Fixtures.labelPredicate(
                matchLabels: ["env": "prod"], expressions: [SelectorRequirement(key: "env", operator: .notIn, values: ["prod"])]
            )],
            expected: []
        ),
        CombinationCase(
            name: "AND of several claim expressions",
            predicates: [Fixtures.claimPredicate([dataExists, SelectorRequirement(key: "data", operator: .in, values: ["/d/both"])])],
            expected: ["both"]
        ),
        CombinationCase(name: "nil predicates select all", predicates: nil, expected: ["both", "claim-only", "label-only", "neither"]),
        CombinationCase(name: "empty predicates select all", predicates: [], expected: ["both", "claim-only", "label-only", "neither"]),
        CombinationCase(
            name: "predicate without selector selects all",
            predicates: [ClusterPredicate()],
            expected: ["both", "claim-only", "label-only", "neither"]
        ),
        CombinationCase(
            name: "empty selectors select all",
            predicates: [ClusterPredicate(requiredClusterSelector: ClusterSelector(
                labelSelector: LabelSelector(), claimSelector: ClusterClaimSelector()
            ))],
            expected: ["both", "claim-only", "label-only", "neither"]
        ),
    ])
    func combinations(_ testCase: CombinationCase) {
        let decision = Fixtures.schedule(PlacementSpec(predicates: testCase.predicates), Self.combinationClusters)
        #expect(decision.selected.sorted() == testCase.expected)
    }

    @Test func filterReasonNamesTheFailingRequirement() throws {
        let single = Fixtures.schedule(
            PlacementSpec(predicates: [Fixtures.claimPredicate([Self.dataExists])]), Self.combinationClusters
        )
        let neither = try #require(single.explanation(for: "neither"))
        #expect(neither.filteredBy == "predicates")
        #expect(neither.filterReason
            == "predicates[0].requiredClusterSelector.claimSelector.matchExpressions[0]: claim \"data\" does not exist")
        #expect(neither.scores.isEmpty && neither.total == nil && !neither.selected)

        let double = Fixtures.schedule(
            PlacementSpec(predicates: [Fixtures.labelPredicate(expressions: [Self.envProd]), Fixtures.claimPredicate([Self.dataExists])]),
            Self.combinationClusters
        )
        let reason = try #require(double.explanation(for: "neither")?.filterReason)
        #expect(reason.hasPrefix("matches no predicate: "))
        #expect(reason.contains("predicates[0].requiredClusterSelector.labelSelector.matchExpressions[0]: label \"env\" is not in [prod]"))
        #expect(reason.contains("predicates[1].requiredClusterSelector.claimSelector.matchExpressions[0]: claim \"data\" does not exist"))
    }

    @Test func reasonPicksTheFailingRequirementOfEachPredicate() throws {
        let andPredicate = ClusterPredicate(requiredClusterSelector: ClusterSelector(
            labelSelector: LabelSelector(matchLabels: ["env": "prod"]),
            claimSelector: ClusterClaimSelector(matchExpressions: [Self.dataExists])
        ))
        let decision = Fixtures.schedule(PlacementSpec(predicates: [andPredicate]), Self.combinationClusters)
        #expect(decision.explanation(for: "label-only")?.filterReason
            == "predicates[0].requiredClusterSelector.claimSelector.matchExpressions[0]: claim \"data\" does not exist")
        #expect(decision.explanation(for: "claim-only")?.filterReason
            == "predicates[0].requiredClusterSelector.labelSelector.matchLabels[env]: label \"env\" is not in [prod]")
    }

    @Test func manyRequirementCombinationsStillExplain() throws {
        // 4 predicates × 6 requirements = 1296 combinations: messages are built on demand.
        let predicates = (0..<4).map { predicate in
            Fixtures.labelPredicate(expressions: (0..<6).map { SelectorRequirement(key: "k\(predicate)-\($0)", operator: .exists) })
        }
        let decision = Fixtures.schedule(PlacementSpec(predicates: predicates), [Fixtures.cluster("a", labels: ["k3-0": "x"])])
        let reason = try #require(decision.explanation(for: "a")?.filterReason)
        #expect(reason.hasPrefix("matches no predicate: predicates[0]"))
        #expect(reason.contains("predicates[3].requiredClusterSelector.labelSelector.matchExpressions[1]: label \"k3-1\" does not exist"))
    }
}
