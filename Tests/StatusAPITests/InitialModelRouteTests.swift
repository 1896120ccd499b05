import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Learning
import Shared
import Testing
@testable import StatusAPI

/// `spec.server.initialModel` at the front door: the model must be on the hub, be a float32
/// safetensors model with finite values, and fit the job's trainer; each refusal names why.
@Suite struct InitialModelRouteTests {
    static func document(name: String, initialModel: String?, trainer: String? = nil, training: String = "{model: softmaxRegression, inputs: 4, classes: 3}") -> String {
        """
        apiVersion: federation-ai.open-cluster-management.io/v1alpha1
        kind: FederatedLearning
        metadata: {name: \(name)}
        spec:
          framework: other
          server: {rounds: 1, minAvailableClients: 1, storage: {path: /data/models}\(initialModel.map { ", initialModel: \"\($0)\"" } ?? "")}
          client:
            placement: {predicates: [{requiredClusterSelector: {claimSelector: {matchExpressions: [{key: data, operator: Exists}]}}}]}\(trainer.map { "\n    trainer: \($0)" } ?? "")
          training: \(training)
        """
    }

    static let own = "{command: [python3, train.py]}"

    func put(_ bytes: [UInt8], _ client: some TestClientProtocol) async throws -> (status: HTTPResponse.Status, digest: String, body: String) {
        let digest = AppArchive.digest(of: bytes)
        let response = try await client.execute(
            uri: "/v1/blobs/\(digest)", method: .put, headers: [.contentType: "application/octet-stream"], body: ByteBuffer(bytes: bytes)
        )
        return (response.status, digest, String(buffer: response.body))
    }

    func submit(_ document: String, _ client: some TestClientProtocol) async throws -> TestResponse {
        try await client.execute(uri: "/v1/jobs", method: .post, headers: [.contentType: "application/yaml"], body: ByteBuffer(string: document))
    }

    @Test func anUploadedModelShowsItsLayoutAndStartsAJob() async throws {
        let fixture = RouteFixture()
        let model = ModelArchitecture.mlp(inputs: 4, hidden: 3, classes: 3).initialParameters(seed: 2)
        try await fixture.application().test(.router) { client in
            let uploaded = try await put(SafeTensors.encode(model), client)
            #expect(uploaded.status == .created)
            let view = try JSONCoding.decoder.decode(BlobView.self, from: Data(uploaded.body.utf8))
            #expect(view.model == ModelLayout(model) && view.notAModel == nil, "\(uploaded.body)")
            let accepted = try await submit(Self.document(name: "own", initialModel: uploaded.digest, trainer: Self.own), client)
            #expect(accepted.status == .accepted, "\(String(buffer: accepted.body))")
        }
        #expect(await fixture.publisher.published.map(\.spec.server.initialModel) == [AppArchive.digest(of: SafeTensors.encode(model))])
    }

    @Test func aModelThatIsMissingOrIsNoModelOrDoesNotFitIsRefusedByField() async throws {
        let fixture = RouteFixture()
        var poisoned = ModelArchitecture.softmaxRegression(inputs: 4, classes: 3).initialParameters(seed: 1)
        poisoned.tensors[1].values[0] = .infinity
        let poisonedBytes = SafeTensors.encode(poisoned)
        let other = ModelArchitecture.mlp(inputs: 4, hidden: 3, classes: 3).initialParameters(seed: 2)
        try await fixture.application().test(.router) { client in
            let archive = try await put(Array("an app archive, not a model".utf8), client)
            let nonFinite = try await put(poisonedBytes, client)
            let wrongLayout = try await put(SafeTensors.encode(other), client)
            let absent = "sha256:" + String(repeating: "0", count: 64)
            let cases: [(String, String)] = [
                (Self.document(name: "a", initialModel: absent, trainer: Self.own), "is not on the hub; upload it first"),
                (Self.document(name: "b", initialModel: archive.digest, trainer: Self.own), "cannot start a job: it is not a float32 safetensors model"),
                (Self.document(name: "c", initialModel: nonFinite.digest, trainer: Self.own), "cannot start a job: it holds NaN or infinity in tensor"),
                (Self.document(name: "d", initialModel: wrongLayout.digest), "the built-in trainer trains spec.training's model, and this one differs"),
                (Self.document(name: "e", initialModel: nil, trainer: Self.own, training: "{epochs: 1}"), "is missing: the job's own trainer"),
            ]
            for (document, expected) in cases {
                let response = try await submit(document, client)
                #expect(response.status == .unprocessableContent)
                let problem = try response.problem()
                #expect(problem.errors?.map(\.field) == ["spec.server.initialModel"], "\(problem)")
                #expect(problem.errors?.first?.problem.contains(expected) == true, "\(problem.errors ?? [])")
            }
        }
        #expect(await fixture.publisher.published.isEmpty)
    }
}
