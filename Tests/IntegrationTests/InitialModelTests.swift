import Foundation
import Learning
import Testing
@testable import Shared

/// Issue 10's initial model end to end, on the real broker and PostgreSQL: a job starts from a
/// model uploaded to the hub (of a layout `spec.training` knows nothing of), a job put on the
/// log past the door naming a model the hub does not hold fails with the reason, and the CLI
/// takes a Flower app's initial model from its own ServerApp.
@Suite(.timeLimit(.minutes(4)))
struct InitialModelTests {
    static var commandExample: String { TestStack.repository.appendingPathComponent("examples/command-trainer/train.py").path }

    @Test func aJobTrainsFromTheModelUploadedForIt() async throws {
        let stack = try await TestStack.make(clusters: 2, label: "initial-model")
        // An MLP, where spec.training names a softmax regression: the uploaded model decides.
        let initial = ModelArchitecture.mlp(inputs: 16, hidden: 8, classes: 4).initialParameters(seed: 5)
        let bytes = SafeTensors.encode(initial)
        let digest = AppArchive.digest(of: bytes)
        let trainer = "{command: [python3, \(Self.commandExample)], config: {learning-rate: 0.5, local-epochs: 3}, timeoutSeconds: 120}"
        let absent = "sha256:" + String(repeating: "e", count: 64)
        let (done, refused) = try await stack.running(try stack.services(clusters: 2)) {
            _ = try await stack.waitFor("v1/clusters", as: ClusterList.self) { $0.items.filter { $0.state == "Registered" }.count == 2 }
            #expect(try await stack.put("v1/blobs/\(digest)", body: Data(bytes), contentType: "application/octet-stream").0 == 201)
            let document = TestStack.jobDocument(name: "from-upload", rounds: 3, minimum: 2, trainer: trainer, evaluation: "{everyRounds: 3}", initialModel: digest)
            #expect(try await stack.post("v1/jobs", body: document).0 == 202)
            // Past the door, straight onto the log: a job naming a model the hub never received.
            var stray = try JobDocument.parse(TestStack.jobDocument(name: "no-model", rounds: 1, minimum: 2, trainer: trainer, initialModel: absent))
            stray.metadata.name = "no-model"
            try await ConsumedEventValidationTests.publish([stray], on: stack)
            let done = try await stack.waitFor("v1/jobs/from-upload", as: JobView.self, timeout: .seconds(180)) { job in
                job.phase == "Completed" && job.roundDetails.count == 3 && job.roundDetails[2].evaluation?.clusters.count == 2
            }
            let refused = try await stack.waitFor("v1/jobs/no-model", as: JobView.self) { $0.phase == "Failed" }
            return (done, refused)
        }
        let accuracy = try #require(done.roundDetails.last?.evaluation?.metrics["eval-acc"])
        #expect(accuracy >= 0.8, "federated accuracy of the uploaded MLP after 3 rounds: \(accuracy)")
        for round in 1...3 {
            let file = stack.modelRoot.appendingPathComponent("data/models/from-upload/round-000\(round).safetensors")
            let model = try SafeTensors.decode(Array(try Data(contentsOf: file))).parameters
            #expect(ModelLayout(model) == ModelLayout(initial), "round \(round) keeps the uploaded layout: \(ModelLayout(model))")
        }
        #expect(refused.history.last?.reason == "InitialModelRefused" && refused.message.contains("\(absent) is not on the hub"), "\(refused.history): \(refused.message)")
        print("initial model: uploaded \(ModelLayout(initial)); federated eval-acc after 3 rounds \(accuracy)")
    }

    /// `flotilla submit --app` with an unmodified Flower app and no initial model: the CLI runs
    /// the app's ServerApp through the Flower adapter up to its strategy's start(...), uploads
    /// the initial_arrays it was handed, and the job names them.
    @Test func theCLITakesAFlowerAppsInitialModelFromItsServerApp() async throws {
        let stack = try await TestStack.make(clusters: 1, label: "cli-initial-model")
        let document = stack.root.appendingPathComponent("job.yaml")
        try FileManager.default.createDirectory(at: stack.root, withIntermediateDirectories: true)
        try TestStack.jobDocument(name: "flower-cli", rounds: 1, minimum: 1).write(to: document, atomically: true, encoding: .utf8)
        let app = TestStack.repository.appendingPathComponent("examples/flower-mnist").path
        let (status, output, layout) = try await stack.running([try stack.statusAPI()]) {
            _ = try await stack.waitFor("readyz", as: [String: String].self) { $0["status"] == "ready" }
            let cli = try ServiceProcess.start(
                "flotilla", arguments: ["submit", document.path, "--app", app, "--status-url", stack.baseURL.absoluteString],
                settings: [.flowerAdapter: TestStack.repository.appendingPathComponent("trainers/flower/flotilla_flower.py").path],
                log: stack.root.appendingPathComponent("cli.log")
            )
            let status = try await cli.waitForExit(timeout: .seconds(120))
            let output = cli.logText
            let digest = output.split(separator: "\n").first { $0.hasPrefix("uploaded initial model") }?.split(separator: " ").last.map(String.init) ?? "?"
            let (code, body) = try await stack.get("v1/blobs/\(digest)")
            let layout = code == 200 ? try JSONCoding.decoder.decode(BlobLayout.self, from: body).model : nil
            return (status, output, layout)
        }
        #expect(status == 0, "\(output)")
        let names = layout?.tensors.map(\.name) ?? []
        #expect(names == ["hidden.bias", "hidden.weight", "output.bias", "output.weight"], "\(output)")
        #expect(layout?.tensors.first { $0.name == "hidden.weight" }?.shape == [64, 784], "the ServerApp's hidden-units and MNIST's pixels: \(String(describing: layout))")
        #expect(output.contains("submitted job flower-cli"), "\(output)")
    }

    struct BlobLayout: Decodable { var model: ModelLayout? }
}
