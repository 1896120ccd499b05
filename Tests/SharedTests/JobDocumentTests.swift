import Foundation
import Testing
@testable import Shared

@Suite struct JobDocumentTests {
    /// OCM's own documents, copied unchanged from shared/cases/ocm.
    static var fixtures: URL { URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures") }

    @Test func acceptsOCMsOwnSampleAsItIs() throws {
        let url = Self.fixtures.appendingPathComponent("ocm-federatedlearning-sample.yaml")
        let job = try JobDocument.parse(try String(contentsOf: url, encoding: .utf8))
        #expect(job.id == "federated-learning-sample")
        #expect(job.spec.framework == .flower)
        #expect(job.spec.server.rounds == 3)
        #expect(job.spec.server.minAvailableClients == 2)
        #expect(job.spec.server.storage.path == "/data/models")
        let expression = try #require(job.spec.client.placement.predicates?.first?.requiredClusterSelector?.claimSelector?.matchExpressions?.first)
        #expect(expression.key == "federated-learning-sample.client-data")
        #expect(expression.operator == .exists)
        #expect(job.spec.client.placement.clusterSets == ["global"])
    }

    static let valid = """
        apiVersion: federation-ai.open-cluster-management.io/v1alpha1
        kind: FederatedLearning
        metadata: {name: job-a}
        spec:
          framework: flower
          server: {rounds: 2, minAvailableClients: 1, storage: {path: /models}}
          client: {placement: {clusterSets: [global], predicates: [{requiredClusterSelector: {claimSelector: {matchExpressions: [{key: data, operator: Exists}]}}}]}}
        """

    @Test func acceptsAMinimalDocumentAndJSON() throws {
        #expect(try JobDocument.parse(Self.valid).spec.server.rounds == 2)
        let json = #"{"apiVersion":"federation-ai.open-cluster-management.io/v1alpha1","kind":"FederatedLearning","metadata":{"name":"j"},"spec":{"framework":"other","server":{"rounds":1,"minAvailableClients":1,"storage":{"path":"/m"}},"client":{"placement":{"predicates":[{"requiredClusterSelector":{"claimSelector":{"matchExpressions":[{"key":"data","operator":"In","values":["/d"]}]}}}]}}}}"#
        #expect(try JobDocument.parse(json).spec.framework == .other)
    }

    @Test(arguments: [
        ("rounds: 2", "rounds: 0", "spec.server.rounds"),
        ("rounds: 2", "rounds: two", "spec.server.rounds"),
        ("minAvailableClients: 1", "minAvailableClients: 0", "spec.server.minAvailableClients"),
        ("name: job-a", "name: Job_A", "metadata.name"),
        ("path: /models", "path: models", "spec.server.storage.path"),
        ("kind: FederatedLearning", "kind: Placement", "kind"),
        ("framework: flower", "framework: tensorflow", "spec.framework"),
        ("rounds: 2, ", "", "spec.server.rounds"),
    ])
    func refusesABadFieldNamingIt(original: String, replacement: String, field: String) throws {
        let document = Self.valid.replacingOccurrences(of: original, with: replacement)
        let error = try #require(throws: JobValidationError.self) { try JobDocument.parse(document) }
        #expect(error.errors.contains { $0.field == field }, "errors were \(error.errors)")
    }

    @Test(arguments: [
        ("aggregation: {roundDeadlineSeconds: 30, minResponses: 2}", "spec.aggregation.minResponses"),  // exceeds minAvailableClients 1
        ("aggregation: {minResponses: 1}", "spec.aggregation.roundDeadlineSeconds"),
        ("aggregation: {roundDeadlineSeconds: 0}", "spec.aggregation.roundDeadlineSeconds"),
        ("aggregation: {lateUpdates: sometimes}", "spec.aggregation.lateUpdates"),
    ])
    func roundPolicyIsValidated(block: String, field: String) throws {
        let document = Self.valid + "\n  " + block
        let error = try #require(throws: JobValidationError.self) { try JobDocument.parse(document) }
        #expect(error.errors.contains { $0.field == field }, "errors were \(error.errors)")
    }

    @Test func aValidRoundPolicyIsRead() throws {
        let job = try JobDocument.parse(Self.valid + "\n  aggregation: {roundDeadlineSeconds: 60, minResponses: 1, lateUpdates: nextRound, onQuorumMissed: extendOnce}")
        #expect(job.spec.aggregation == RoundPolicy(roundDeadlineSeconds: 60, minResponses: 1, lateUpdates: .nextRound, onQuorumMissed: .extendOnce))
    }

    @Test func phaseMachineAllowsOnlyForwardMoves() {
        #expect(JobPhase.waiting.canMove(to: .running))
        #expect(JobPhase.running.canMove(to: .completed))
        #expect(JobPhase.running.canMove(to: .failed))
        #expect(JobPhase.waiting.canMove(to: .failed))
        #expect(!JobPhase.waiting.canMove(to: .completed))
        #expect(!JobPhase.running.canMove(to: .waiting))
        #expect(!JobPhase.completed.canMove(to: .failed))
        #expect(!JobPhase.failed.canMove(to: .running))
        #expect(!JobPhase.running.canMove(to: .running))
    }
}
