import Foundation
import Testing
@testable import Shared

/// Point 1 of issue 9: a NUL (or other control character) in any text, and any number out of
/// its range, is refused at the door naming the field, so no consumer ever has to store it.
@Suite struct JobDocumentTextAndRangeTests {
    static let full = """
        apiVersion: federation-ai.open-cluster-management.io/v1alpha1
        kind: FederatedLearning
        metadata:
          name: job-a
          namespace: team
          labels: {team: vision}
          annotations: {note: "first line\\nsecond\\tline"}
        spec:
          framework: flower
          server:
            image: server:1
            rounds: 2
            minAvailableClients: 3
            listeners: [{name: l, port: 8080, type: LoadBalancer, ip: 10.0.0.1}]
            storage: {type: PersistentVolumeClaim, name: pvc, path: /models, size: 2Gi}
          client:
            image: client:1
            placement:
              clusterSets: [global]
              predicates:
                - requiredClusterSelector:
                    labelSelector:
                      matchLabels: {zone: east}
                      matchExpressions: [{key: tier, operator: In, values: [gold]}]
                    claimSelector:
                      matchExpressions: [{key: data.example.com/mnist, operator: Exists}]
              tolerations: [{key: cluster.open-cluster-management.io/unavailable, operator: Exists, tolerationSeconds: 60}]
              prioritizerPolicy:
                configurations:
                  - {scoreCoordinate: {type: BuiltIn, builtIn: Balance}, weight: 2}
                  - {scoreCoordinate: {type: AddOn, addOn: {resourceName: gpu-score, scoreName: free}}}
          training: {model: mlp, hiddenUnits: 32, epochs: 1, batchSize: 16}
          aggregation: {strategy: {name: krum, f: 0}, roundDeadlineSeconds: 30}
        """

    @Test func theFullDocumentIsValid() throws {
        let job = try JobDocument.parse(Self.full)
        #expect(job.metadata.annotations?["note"] == "first line\nsecond\tline")  // tab and newline stay allowed
    }

    @Test(arguments: [
        ("name: job-a", "name: \"job-\\0a\"", "metadata.name"),
        ("namespace: team", "namespace: \"te\\0am\"", "metadata.namespace"),
        ("{team: vision}", "{team: \"vi\\0sion\"}", "metadata.labels.team"),
        ("note: \"first", "note: \"\\0first", "metadata.annotations.note"),
        ("image: server:1", "image: \"server\\0:1\"", "spec.server.image"),
        ("image: client:1", "image: \"client\\0:1\"", "spec.client.image"),
        ("name: l,", "name: \"l\\0\",", "spec.server.listeners[0].name"),
        ("ip: 10.0.0.1", "ip: \"10.0.0.1\\0\"", "spec.server.listeners[0].ip"),
        ("type: PersistentVolumeClaim", "type: \"PVC\\0\"", "spec.server.storage.type"),
        ("name: pvc", "name: \"pvc\\0\"", "spec.server.storage.name"),
        ("path: /models", "path: \"/mod\\0els\"", "spec.server.storage.path"),
        ("size: 2Gi", "size: \"2Gi\\0\"", "spec.server.storage.size"),
        ("clusterSets: [global]", "clusterSets: [\"glo\\0bal\"]", "spec.client.placement.clusterSets[0]"),
        ("{zone: east}", "{zone: \"ea\\0st\"}", "spec.client.placement.predicates[0].requiredClusterSelector.labelSelector.matchLabels.zone"),
        ("values: [gold]", "values: [\"go\\0ld\"]", "spec.client.placement.predicates[0].requiredClusterSelector.labelSelector.matchExpressions[0].values[0]"),
        ("key: data.example.com/mnist", "key: \"data\\0\"", "spec.client.placement.predicates[0].requiredClusterSelector.claimSelector.matchExpressions[0].key"),
        ("key: cluster.open-cluster-management.io/unavailable", "key: \"x\\0\"", "spec.client.placement.tolerations[0].key"),
        ("resourceName: gpu-score", "resourceName: \"gpu\\0score\"", "spec.client.placement.prioritizerPolicy.configurations[1].scoreCoordinate.addOn.resourceName"),
        ("scoreName: free", "scoreName: \"fr\\0ee\"", "spec.client.placement.prioritizerPolicy.configurations[1].scoreCoordinate.addOn.scoreName"),
        ("image: client:1", "image: \"client\\x1b[31m\"", "spec.client.image"),  // an escape sequence, not only NUL
    ])
    func refusesAControlCharacterInAnyText(original: String, replacement: String, field: String) throws {
        let document = Self.full.replacingOccurrences(of: original, with: replacement)
        #expect(document != Self.full)
        let error = try #require(throws: JobValidationError.self) { try JobDocument.parse(document) }
        #expect(error.errors.contains { $0.field == field && $0.problem.contains("U+00") }, "errors were \(error.errors)")
    }

    @Test func aControlCharacterInAMapKeyIsRefused() throws {
        let document = Self.full.replacingOccurrences(of: "{team: vision}", with: "{\"te\\0am\": vision}")
        let error = try #require(throws: JobValidationError.self) { try JobDocument.parse(document) }
        #expect(error.errors.contains { $0.field.hasPrefix("metadata.labels[") && $0.problem.contains("NUL") }, "errors were \(error.errors)")
    }

    /// A consumer validates the decoded job, not YAML: the same rules hold for a struct.
    @Test func validateCatchesANulInADecodedJob() throws {
        var job = try JobDocument.parse(Self.full)
        job.spec.client.image = "client\u{0}"
        let error = try #require(throws: JobValidationError.self) { try JobDocument.validate(job) }
        #expect(error.errors.map(\.field) == ["spec.client.image"])
    }

    @Test(arguments: [
        ("rounds: 2", "rounds: 1000000000000", "spec.server.rounds"),
        ("minAvailableClients: 3", "minAvailableClients: 1000000000000", "spec.server.minAvailableClients"),
        ("port: 8080", "port: 70000", "spec.server.listeners[0].port"),
        ("tolerationSeconds: 60", "tolerationSeconds: 9223372036854775807", "spec.client.placement.tolerations[0].tolerationSeconds"),
        ("tolerationSeconds: 60", "tolerationSeconds: -1", "spec.client.placement.tolerations[0].tolerationSeconds"),
        ("f: 0}", "f: 4611686018427387904}", "spec.aggregation.strategy.f"),
        ("hiddenUnits: 32", "hiddenUnits: 65536, inputs: 16777216", "spec.training"),
        ("hiddenUnits: 32", "classes: 1", "spec.training"),
        ("weight: 2", "weight: 11", "spec.client.placement.prioritizerPolicy.configurations[0].weight"),
        ("weight: 2", "weight: 3000000000", "spec.client.placement.prioritizerPolicy.configurations[0].weight"),
    ])
    func refusesANumberOutOfRange(original: String, replacement: String, field: String) throws {
        let document = Self.full.replacingOccurrences(of: original, with: replacement)
        #expect(document != Self.full)
        let error = try #require(throws: JobValidationError.self) { try JobDocument.parse(document) }
        #expect(error.errors.contains { $0.field == field }, "errors were \(error.errors)")
    }

    @Test func waitTimeoutIsBounded() throws {
        let document = Self.full.replacingOccurrences(of: "minAvailableClients: 3", with: "minAvailableClients: 3\n    waitTimeoutSeconds: 99999999999")
        let error = try #require(throws: JobValidationError.self) { try JobDocument.parse(document) }
        #expect(error.errors.map(\.field) == ["spec.server.waitTimeoutSeconds"])
    }
}
