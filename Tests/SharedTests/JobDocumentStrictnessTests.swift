import Foundation
import Testing
@testable import Shared

/// Point 13 of issue 9: documents are strict (an unknown field anywhere is refused, naming
/// its full path), names follow Kubernetes syntax, and a placement that can hand no cluster a
/// data path is refused at submission.
@Suite struct JobDocumentStrictnessTests {
    static let full = JobDocumentTextAndRangeTests.full

    @Test(arguments: [
        ("numberOfClusters", "clusterSets: [global]", "numberOfCluster: 2\n      clusterSets: [global]", "spec.client.placement.numberOfCluster"),
        ("claimSelector", "claimSelector:\n", "claimSelector:\n              matchLabels: {a: b}\n", "spec.client.placement.predicates[0].requiredClusterSelector.claimSelector.matchLabels"),
        ("top level", "kind: FederatedLearning", "kind: FederatedLearning\nstatus: {phase: Running}", "status"),
        ("metadata", "namespace: team", "namespace: team\n  uid: x", "metadata.uid"),
        ("storage", "size: 2Gi}", "size: 2Gi, s3: {bucketName: b}}", "spec.server.storage.s3"),
        ("training", "epochs: 1", "epoch: 1", "spec.training.epoch"),
        ("aggregation", "roundDeadlineSeconds: 30}", "roundDeadlineSeconds: 30, deadline: 5}", "spec.aggregation.deadline"),
        ("listener", "type: LoadBalancer", "typ: LoadBalancer", "spec.server.listeners[0].typ"),
        ("toleration", "tolerationSeconds: 60}", "tolerationSeconds: 60, effects: NoSelect}", "spec.client.placement.tolerations[0].effects"),
        ("scoreCoordinate", "builtIn: Balance}", "builtIn: Balance, name: x}", "spec.client.placement.prioritizerPolicy.configurations[0].scoreCoordinate.name"),
        ("celSelector (OCM, not supported)", "claimSelector:\n", "celSelector: {celExpressions: [x]}\n            claimSelector:\n", "spec.client.placement.predicates[0].requiredClusterSelector.celSelector"),
    ])
    func anUnknownFieldIsRefusedNamingItsPath(where: String, original: String, replacement: String, field: String) throws {
        let document = Self.full.replacingOccurrences(of: original, with: replacement)
        #expect(document != Self.full)
        let error = try #require(throws: JobValidationError.self) { try JobDocument.parse(document) }
        #expect(error.errors.contains { $0.field == field && $0.problem.hasPrefix("unknown field") }, "errors were \(error.errors)")
    }

    /// As kubectl: a field given twice is refused (the YAML parser does it), not last-one-wins.
    @Test func aFieldGivenTwiceIsRefused() throws {
        let document = Self.full.replacingOccurrences(of: "rounds: 2", with: "rounds: 2\n    rounds: 3")
        let error = try #require(throws: JobValidationError.self) { try JobDocument.parse(document) }
        #expect(error.description.contains("duplicated key(s): 'rounds'"), "errors were \(error.errors)")
    }

    @Test func aKnownFieldSetToNullIsNotUnknown() throws {
        let document = Self.full.replacingOccurrences(of: "image: client:1", with: "image: null")
        #expect(try JobDocument.parse(document).spec.client.image == nil)
    }

    @Test(arguments: [
        ("{zone: east}", "{bad key!: east}", "spec.client.placement.predicates[0].requiredClusterSelector.labelSelector.matchLabels[bad key!]"),
        ("{zone: east}", "{zone: \"not a value\"}", "spec.client.placement.predicates[0].requiredClusterSelector.labelSelector.matchLabels[zone]"),
        ("{zone: east}", "{Bad.Prefix/zone: east}", "spec.client.placement.predicates[0].requiredClusterSelector.labelSelector.matchLabels[Bad.Prefix/zone]"),
        ("key: tier", "key: \"-tier\"", "spec.client.placement.predicates[0].requiredClusterSelector.labelSelector.matchExpressions[0].key"),
        ("values: [gold]", "values: [\"gold!\"]", "spec.client.placement.predicates[0].requiredClusterSelector.labelSelector.matchExpressions[0].values[0]"),
        ("key: data.example.com/mnist", "key: \"bad key!\"", "spec.client.placement.predicates[0].requiredClusterSelector.claimSelector.matchExpressions[0].key"),
        ("key: cluster.open-cluster-management.io/unavailable", "key: \"a/b/c\"", "spec.client.placement.tolerations[0].key"),
        ("clusterSets: [global]", "clusterSets: [\"my set\"]", "spec.client.placement.clusterSets[0]"),
        ("{team: vision}", "{team: \(String(repeating: "v", count: 64))}", "metadata.labels[team]"),
        ("note: \"first", "bad note!: \"first", "metadata.annotations[bad note!]"),
        ("resourceName: gpu-score", "resourceName: \"gpu/score\"", "spec.client.placement.prioritizerPolicy.configurations[1].scoreCoordinate.addOn.resourceName"),
        ("scoreName: free", "scoreName: \"free/now\"", "spec.client.placement.prioritizerPolicy.configurations[1].scoreCoordinate.addOn.scoreName"),
        ("size: 2Gi", "size: lots", "spec.server.storage.size"),
    ])
    func namesFollowKubernetesSyntax(original: String, replacement: String, field: String) throws {
        let document = Self.full.replacingOccurrences(of: original, with: replacement)
        #expect(document != Self.full)
        let error = try #require(throws: JobValidationError.self) { try JobDocument.parse(document) }
        #expect(error.errors.contains { $0.field == field }, "errors were \(error.errors)")
    }

    @Test(arguments: [
        ("operator: Exists}]", "operator: DoesNotExist}]"),
        ("operator: Exists}]", "operator: NotIn, values: [/x]}]"),
    ])
    func aPlacementThatCanHandNoClusterADataPathIsRefused(original: String, replacement: String) throws {
        let document = Self.full.replacingOccurrences(of: "{key: data.example.com/mnist, \(original)", with: "{key: data.example.com/mnist, \(replacement)")
        #expect(document != Self.full)
        let error = try #require(throws: JobValidationError.self) { try JobDocument.parse(document) }
        #expect(error.errors.map(\.field) == ["spec.client.placement.predicates"])
        #expect(error.description.contains("data path"))
    }

    @Test func aClaimInRequirementHandsADataPath() throws {
        let document = Self.full.replacingOccurrences(of: "{key: data.example.com/mnist, operator: Exists}", with: "{key: data.example.com/mnist, operator: In, values: [/data/a]}")
        #expect(try JobDocument.parse(document).spec.client.placement.providesDataPath)
    }

    @Test func kubernetesSyntax() {
        for valid in ["a", "team", "cluster.open-cluster-management.io/clusterset", "A_b.c-D", "x.y/Z9", String(repeating: "a", count: 63)] {
            #expect(KubernetesSyntax.qualifiedNameProblem(valid) == nil, "\(valid)")
        }
        for invalid in ["", "bad key!", "-a", "a-", "a/b/c", "/a", "a/", "Upper.Case/x", String(repeating: "a", count: 64), "é"] {
            #expect(KubernetesSyntax.qualifiedNameProblem(invalid) != nil, "\(invalid)")
        }
        #expect(KubernetesSyntax.labelValueProblem("") == nil)
        #expect(KubernetesSyntax.labelValueProblem("a/b") != nil)
        #expect(AddOnScore.scoreKeyProblem("default/cpuratio") == nil)
        #expect(AddOnScore.scoreKeyProblem("cpuratio") == nil)
        #expect(AddOnScore.scoreKeyProblem("a/b/c") != nil)
        #expect(AddOnScore.scoreKeyProblem("Bad/x") != nil)
    }

    @Test(arguments: [
        ("500m", 500, 1), ("2", 2000, 2), ("1.5", 1500, 2), ("0.1m", 1, 1), ("1e3", 1_000_000, 1000), ("2k", 2_000_000, 2000),
        ("8Gi", 8 * 1000 << 30, 8 << 30), ("512Mi", 512 * 1000 << 20, 512 << 20), ("1E-3", 1, 1), ("+4", 4000, 4), ("0", 0, 0),
    ] as [(String, Int64, Int64)])
    func kubernetesQuantities(text: String, milli: Int64, units: Int64) throws {
        let quantity = try #require(ResourceQuantity(text))
        #expect(quantity.milliUnits == milli)
        #expect(quantity.units == units)
    }

    @Test func badQuantities() {
        for text in ["", "lots", "1.2.3", "1e", "5Qi", "m", "1 Gi", "1e1000"] {
            #expect(ResourceQuantity(text) == nil, "\(text)")
        }
        #expect(ResourceQuantity("-1")?.units == nil)  // negative: parsed, but no resource amount
        #expect(ResourceQuantity("8Ei")?.units == nil)  // beyond Int64
    }
}
