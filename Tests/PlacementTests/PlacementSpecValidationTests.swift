import Foundation
import Placement
import Shared
import Testing

/// `PlacementSpec.validate(at:)`: every rule and its field path.
@Suite struct PlacementSpecValidationTests {
    static let root = "spec.client.placement"

    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let spec: PlacementSpec
        let errors: [FieldError]
        var testDescription: String { name }
    }

    static func error(_ field: String, _ problem: String) -> FieldError {
        FieldError(field: "\(root).\(field)", problem: problem)
    }

    static func claims(_ requirements: SelectorRequirement...) -> PlacementSpec {
        PlacementSpec(predicates: [ClusterPredicate(), Fixtures.claimPredicate(requirements)])
    }

    static func labels(_ requirements: SelectorRequirement...) -> PlacementSpec {
        PlacementSpec(predicates: [Fixtures.labelPredicate(expressions: requirements)])
    }

    static func weighted(_ coordinate: ScoreCoordinate, _ weight: Int32?) -> PlacementSpec {
        PlacementSpec(prioritizerPolicy: PrioritizerPolicy(configurations: [
            PrioritizerConfig(scoreCoordinate: .builtIn(.steady), weight: 1),
            PrioritizerConfig(scoreCoordinate: coordinate, weight: weight),
        ]))
    }

    static let claimPath = "predicates[1].requiredClusterSelector.claimSelector.matchExpressions"
    static let labelPath = "predicates[0].requiredClusterSelector.labelSelector.matchExpressions"

    @Test(arguments: [
        Case(name: "valid empty spec", spec: PlacementSpec(), errors: []),
        Case(name: "negative numberOfClusters", spec: PlacementSpec(numberOfClusters: -1),
             errors: [error("numberOfClusters", "must be >= 0, got -1")]),
        Case(name: "zero numberOfClusters is valid", spec: PlacementSpec(numberOfClusters: 0), errors: []),
        Case(name: "empty cluster set name", spec: PlacementSpec(clusterSets: ["a", ""]),
             errors: [error("clusterSets[1]", "must not be empty")]),
        Case(name: "In without values",
             spec: claims(SelectorRequirement(key: "k", operator: .exists), SelectorRequirement(key: "k", operator: .in)),
             errors: [error("\(claimPath)[1].values", "must be non-empty when operator is In")]),
        Case(name: "NotIn with empty values", spec: claims(SelectorRequirement(key: "k", operator: .notIn, values: [])),
             errors: [error("\(claimPath)[0].values", "must be non-empty when operator is NotIn")]),
        Case(name: "Exists with values", spec: claims(SelectorRequirement(key: "k", operator: .exists, values: ["v"])),
             errors: [error("\(claimPath)[0].values", "must be empty when operator is Exists")]),
        Case(name: "DoesNotExist with values on labels",
             spec: labels(SelectorRequirement(key: "k", operator: .doesNotExist, values: ["v"])),
             errors: [error("\(labelPath)[0].values", "must be empty when operator is DoesNotExist")]),
        Case(name: "empty key", spec: labels(SelectorRequirement(key: "", operator: .exists)),
             errors: [error("\(labelPath)[0].key", "must not be empty")]),
        Case(name: "empty matchLabels key", spec: PlacementSpec(predicates: [Fixtures.labelPredicate(matchLabels: ["": "v"])]),
             errors: [error("predicates[0].requiredClusterSelector.labelSelector.matchLabels[]", "'' is not a qualified name: the name must not be empty")]),
        Case(name: "valid selectors", spec: claims(
            SelectorRequirement(key: "a", operator: .in, values: ["x"]),
            SelectorRequirement(key: "b", operator: .notIn, values: ["y"]),
            SelectorRequirement(key: "c", operator: .exists),
            SelectorRequirement(key: "d", operator: .doesNotExist, values: [])
        ), errors: []),
        Case(name: "empty toleration key needs Exists", spec: PlacementSpec(tolerations: [Toleration(value: "v")]),
             errors: [error("tolerations[0].operator", "must be Exists when key is empty")]),
        Case(name: "Exists with a value",
             spec: PlacementSpec(tolerations: [Toleration(key: "k", operator: .exists), Toleration(key: "k", operator: .exists, value: "v")]),
             errors: [error("tolerations[1].value", "must be empty when operator is Exists")]),
        Case(name: "valid tolerations", spec: PlacementSpec(tolerations: [
            Toleration(operator: .exists), Toleration(key: "k", value: "v", effect: .noSelect, tolerationSeconds: 30),
        ]), errors: []),
        Case(name: "weight above 10", spec: weighted(.builtIn(.balance), 11),
             errors: [error("prioritizerPolicy.configurations[1].weight", "must be between -10 and 10, got 11")]),
        Case(name: "weight below -10", spec: weighted(.builtIn(.balance), -11),
             errors: [error("prioritizerPolicy.configurations[1].weight", "must be between -10 and 10, got -11")]),
        Case(name: "weights at the bounds", spec: PlacementSpec(prioritizerPolicy: PrioritizerPolicy(configurations: [
            PrioritizerConfig(scoreCoordinate: .builtIn(.balance), weight: -10),
            PrioritizerConfig(scoreCoordinate: .builtIn(.steady), weight: 10),
        ])), errors: []),
        Case(name: "unknown built-in", spec: weighted(ScoreCoordinate(type: "BuiltIn", builtIn: "Spread"), nil),
             errors: [error(
                "prioritizerPolicy.configurations[1].scoreCoordinate.builtIn",
                "unknown built-in prioritizer \"Spread\"; allowed values: Balance, Steady, ResourceAllocatableCPU, ResourceAllocatableMemory"
             )]),
        Case(name: "BuiltIn without a name", spec: weighted(ScoreCoordinate(type: "BuiltIn"), nil),
             errors: [error("prioritizerPolicy.configurations[1].scoreCoordinate.builtIn", "is required when type is BuiltIn")]),
        Case(name: "AddOn without addOn", spec: weighted(ScoreCoordinate(type: "AddOn"), nil),
             errors: [error("prioritizerPolicy.configurations[1].scoreCoordinate.addOn", "is required when type is AddOn")]),
        Case(name: "AddOn without scoreName", spec: weighted(.addOn(resourceName: "r", scoreName: ""), nil),
             errors: [error("prioritizerPolicy.configurations[1].scoreCoordinate.addOn.scoreName", "'' is not a valid score name: the name must not be empty")]),
        Case(name: "AddOn without resourceName", spec: weighted(.addOn(resourceName: "", scoreName: "s"), nil),
             errors: [error("prioritizerPolicy.configurations[1].scoreCoordinate.addOn.resourceName", "must not be empty")]),
        Case(name: "unknown coordinate type", spec: weighted(ScoreCoordinate(type: "Plugin"), nil),
             errors: [error(
                "prioritizerPolicy.configurations[1].scoreCoordinate.type",
                "unsupported value \"Plugin\"; allowed values: BuiltIn, AddOn"
             )]),
    ])
    func rules(_ testCase: Case) {
        #expect(testCase.spec.validate(at: Self.root) == testCase.errors)
    }

    @Test func errorsAreReportedTogetherInDocumentOrder() {
        let spec = PlacementSpec(
            numberOfClusters: -2,
            predicates: [Fixtures.claimPredicate([SelectorRequirement(key: "k", operator: .in)])],
            prioritizerPolicy: PrioritizerPolicy(configurations: [PrioritizerConfig(scoreCoordinate: .builtIn(.balance), weight: 20)]),
            tolerations: [Toleration(operator: .equal)]
        )
        #expect(spec.validate(at: "spec").map(\.description) == [
            "spec.numberOfClusters: must be >= 0, got -2",
            "spec.predicates[0].requiredClusterSelector.claimSelector.matchExpressions[0].values: must be non-empty when operator is In",
            "spec.tolerations[0].operator: must be Exists when key is empty",
            "spec.prioritizerPolicy.configurations[0].weight: must be between -10 and 10, got 20",
        ])
    }
}
