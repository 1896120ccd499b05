import Foundation
import Testing
@testable import Shared

/// `spec.framework` and `spec.client.trainer`: which trainer a job runs, and the front door's
/// rules for it (the collaborators apply the same rules again).
@Suite struct TrainerDocumentTests {
    static let modelDigest = "sha256:" + String(repeating: "b", count: 64)

    /// `initialModel`: `spec.server.initialModel` (an own trainer needs one, see InitialModelDocumentTests).
    static func document(framework: String = "other", client: String, initialModel: String? = modelDigest) -> String {
        """
        apiVersion: federation-ai.open-cluster-management.io/v1alpha1
        kind: FederatedLearning
        metadata: {name: job-a}
        spec:
          framework: \(framework)
          server: {rounds: 2, minAvailableClients: 1, storage: {path: /models}\(initialModel.map { ", initialModel: \"\($0)\"" } ?? "")}
          client:
            placement: {predicates: [{requiredClusterSelector: {claimSelector: {matchExpressions: [{key: data, operator: Exists}]}}}]}
        \(client.split(separator: "\n").map { "    \($0)" }.joined(separator: "\n"))
        """
    }

    func errors(_ text: String) -> [String] {
        do {
            _ = try JobDocument.parse(text)
            return []
        } catch {
            return error.errors.map(\.description)
        }
    }

    @Test func aCommandTrainerIsReadWithItsConfigAndTimeLimit() throws {
        let job = try JobDocument.parse(Self.document(client: """
            trainer:
              command: [python3, train.py, --epochs, "1"]
              config: {learning-rate: 0.05, batch-size: 32, augment: true, optimizer: sgd}
              timeoutSeconds: 120
            """))
        let trainer = try #require(job.spec.client.trainer)
        #expect(trainer.command == ["python3", "train.py", "--epochs", "1"])
        #expect(trainer.config == ["learning-rate": .double(0.05), "batch-size": .int(32), "augment": .bool(true), "optimizer": .string("sgd")])
        #expect(trainer.timeout == .seconds(120))
        #expect(job.ownTrainer != nil && job.trainerStandIn == nil)
    }

    @Test func openFLIsRefusedNamingWhatToUseInstead() {
        let problems = errors(Self.document(framework: "openfl", client: ""))
        #expect(problems.count == 1)
        #expect(problems.first?.hasPrefix("spec.framework: openfl is not supported yet; use flower") == true, "\(problems)")
    }

    @Test func anImageThatCannotRunHereIsStoodInForPlainly() throws {
        let job = try JobDocument.parse(Self.document(framework: "flower", client: "image: quay.io/myan/flower-app:latest"))
        #expect(job.ownTrainer == nil)
        #expect(job.trainerStandIn?.contains("the built-in trainer stands in for image quay.io/myan/flower-app:latest") == true)
        #expect(try JobDocument.parse(Self.document(client: "")).trainerStandIn == nil, "no image named, nothing stood in for")
    }

    @Test(arguments: [
        ("trainer: {command: []}", "spec.client.trainer.command: must hold 1...64 strings"),
        ("trainer: {command: [\"\"]}", "spec.client.trainer.command[0]: names no program"),
        ("trainer: {command: [sh], timeoutSeconds: 0}", "spec.client.trainer.timeoutSeconds: must be in 1...86400"),
        ("trainer: {command: [sh], config: {\"bad key!\": 1}}", "spec.client.trainer.config[bad key!]: 'bad key!' may contain only"),
        ("trainer: {command: [sh], config: {k: [1, 2]}}", "spec.client.trainer.config.k"),
        ("trainer: {command: [sh], shell: true}", "spec.client.trainer.shell: unknown field"),
        ("trainer: {command: [sh], mode: daemon}", "spec.client.trainer.mode"),
        ("trainer: {config: {a: 1}}", "spec.client.trainer: names neither a command nor an app"),
        ("trainer: {app: \"sha256:abc\"}", "spec.client.trainer.app: must be sha256: and 64 lowercase hex digits"),
        ("trainer: {app: \"sha256:\(String(repeating: "a", count: 64))\"}", "spec.client.trainer.command: is needed to run an app with framework other"),
        ("trainer: {command: [\"sh\\0\"]}", "spec.client.trainer.command[0]"),
    ])
    func aBadTrainerIsRefusedByField(trainer: String, expected: String) {
        let problems = errors(Self.document(client: trainer))
        #expect(problems.contains { $0.hasPrefix(expected) }, "\(problems)")
    }
}
