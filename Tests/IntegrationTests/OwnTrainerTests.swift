import Foundation
import Learning
import Testing
@testable import Shared

/// Issue 10 end to end on the real broker and PostgreSQL: a job runs its own program over the
/// trainer contract (the repository's command example, in Python), every round is evaluated
/// federatedly on the contributors' held-out data, and a failing trainer's reason reaches the
/// job's status quoted from its output.
@Suite(.timeLimit(.minutes(4)))
struct OwnTrainerTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static var commandExample: String { repository.appendingPathComponent("examples/command-trainer/train.py").path }

    @Test func theCommandExampleTrainsAndEveryRoundIsEvaluated() async throws {
        let stack = try await TestStack.make(clusters: 2, label: "own-trainer")
        let trainer = "{command: [python3, \(Self.commandExample)], config: {learning-rate: 0.5, local-epochs: 3}, timeoutSeconds: 120}"
        let done = try await stack.running(try stack.services(clusters: 2)) {
            _ = try await stack.waitFor("v1/clusters", as: ClusterList.self) { $0.items.filter { $0.state == "Registered" }.count == 2 }
            #expect(try await stack.post("v1/jobs", body: TestStack.jobDocument(name: "own", rounds: 3, minimum: 2, trainer: trainer)).0 == 202)
            return try await stack.waitFor("v1/jobs/own", as: JobView.self, timeout: .seconds(180)) { job in
                job.phase == "Completed" && job.roundDetails.count == 3 && job.roundDetails.allSatisfy { $0.evaluation?.clusters.count == 2 }
            }
        }
        for round in done.roundDetails {
            #expect(Set(round.contributions.map(\.cluster)) == ["c1", "c2"])
            let evaluation = try #require(round.evaluation)
            #expect(Set(evaluation.metrics.keys) == ["eval-acc", "eval-loss"], "the names the program reported: \(evaluation.metrics)")
            let weighted = evaluation.clusters.reduce(0.0) { $0 + ($1.metrics["eval-acc"] ?? 0) * Double($1.examples) } / Double(evaluation.examples)
            #expect(abs((evaluation.metrics["eval-acc"] ?? -1) - weighted) < 1e-9, "aggregated weighted by examples")
        }
        let last = try #require(done.roundDetails.last?.evaluation?.metrics["eval-acc"])
        #expect(last >= 0.8, "federated accuracy after 3 rounds: \(last)")
        print("own trainer: federated eval-acc by round \(done.roundDetails.map { $0.evaluation?.metrics["eval-acc"] ?? .nan })")
        // The trainer's output stays on the cluster, one log per task.
        let logs = try FileManager.default.contentsOfDirectory(atPath: stack.root.appendingPathComponent("work/c1/own").path)
        #expect(Set(logs).isSuperset(of: ["round-1-train.log", "round-1-evaluate.log", "round-3-evaluate.log"]), "\(logs.sorted())")
    }

    /// An unchanged Flower app (the repository's Message-API example) through its adapter:
    /// `@app.train()` trains, `@app.evaluate()` is the federated evaluation.
    @Test func anUnchangedFlowerAppTrainsThroughTheAdapter() async throws {
        let stack = try await TestStack.make(clusters: 2, label: "flower-app")
        let adapter = Self.repository.appendingPathComponent("trainers/flower/flotilla_flower.py").path
        let app = Self.repository.appendingPathComponent("examples/flower-mnist").path
        let trainer = "{command: [python3, \(adapter), serve, --app, \(app)], mode: serve, config: {learning-rate: 0.5, local-epochs: 3}, timeoutSeconds: 120}"
        let done = try await stack.running(try stack.services(clusters: 2)) {
            _ = try await stack.waitFor("v1/clusters", as: ClusterList.self) { $0.items.filter { $0.state == "Registered" }.count == 2 }
            #expect(try await stack.post("v1/jobs", body: TestStack.jobDocument(name: "flower", rounds: 2, minimum: 2, trainer: trainer)).0 == 202)
            return try await stack.waitFor("v1/jobs/flower", as: JobView.self, timeout: .seconds(180)) { job in
                job.phase == "Completed" && job.roundDetails.count == 2 && job.roundDetails.allSatisfy { $0.evaluation?.clusters.count == 2 }
            }
        }
        #expect(done.roundDetails.allSatisfy { Set($0.contributions.map(\.cluster)) == ["c1", "c2"] })
        let evaluation = try #require(done.roundDetails.last?.evaluation)
        #expect(Set(evaluation.metrics.keys) == ["eval-acc", "eval-loss"], "the names the app reported: \(evaluation.metrics)")
        #expect((evaluation.metrics["eval-acc"] ?? 0) >= 0.8, "federated accuracy: \(evaluation.metrics)")
        // One adapter process per cluster served both rounds, training and evaluation alike.
        let log = try String(contentsOf: stack.root.appendingPathComponent("work/c1/flower/serve.log"), encoding: .utf8)
        #expect(log.components(separatedBy: "=== round ").count - 1 == 4, "four tasks in one session: \(log.suffix(400))")
    }

    /// `flotilla submit --app` in two requests: the app's archive to the hub by its digest, then
    /// a job naming it. The collaborators fetch it from the log, check and unpack it, and run it
    /// as a Flower app through their adapter.
    @Test func anUploadedFlowerAppIsFetchedByTheClusters() async throws {
        let stack = try await TestStack.make(clusters: 2, label: "uploaded-app")
        let archive = try AppArchive.pack(directory: Self.repository.appendingPathComponent("examples/flower-mnist"))
        let digest = AppArchive.digest(of: archive)
        let done = try await stack.running(try stack.services(clusters: 2)) {
            _ = try await stack.waitFor("v1/clusters", as: ClusterList.self) { $0.items.filter { $0.state == "Registered" }.count == 2 }
            let unknown = "sha256:" + String(repeating: "0", count: 64)
            let refused = try await stack.post("v1/jobs", body: TestStack.jobDocument(name: "no-app", rounds: 1, minimum: 1, trainer: "{app: \"\(unknown)\"}"))
            #expect(refused.0 == 422 && String(decoding: refused.1, as: UTF8.self).contains("is not on the hub"), "\(String(decoding: refused.1, as: UTF8.self))")
            let mismatch = try await stack.put("v1/blobs/\(unknown)", body: Data(archive))
            #expect(mismatch.0 == 422, "bytes that are not the digest they claim")
            #expect(try await stack.put("v1/blobs/\(digest)", body: Data(archive)).0 == 201)
            #expect(try await stack.put("v1/blobs/\(digest)", body: Data(archive)).0 == 200, "stored once")
            let trainer = "{app: \"\(digest)\", config: {learning-rate: 0.5, local-epochs: 3}, timeoutSeconds: 120}"
            #expect(try await stack.post("v1/jobs", body: TestStack.jobDocument(name: "uploaded", rounds: 2, minimum: 2, trainer: trainer)).0 == 202)
            return try await stack.waitFor("v1/jobs/uploaded", as: JobView.self, timeout: .seconds(180)) { job in
                job.phase == "Completed" && job.roundDetails.count == 2 && job.roundDetails.allSatisfy { $0.evaluation?.clusters.count == 2 }
            }
        }
        #expect((done.roundDetails.last?.evaluation?.metrics["eval-acc"] ?? 0) >= 0.8, "\(String(describing: done.roundDetails.last?.evaluation))")
        let unpacked = stack.root.appendingPathComponent("work/c1/apps/\(digest.dropFirst(7))/pyproject.toml")
        #expect(FileManager.default.fileExists(atPath: unpacked.path), "the app is unpacked under the cluster's work root")
    }

    /// A Flower app that partitions the data itself (as apps built on flwr-datasets do): each
    /// cluster's `partition-id` of `num-partitions` picks its shard of one full training set,
    /// whatever its data path. Round 1 starts from an uploaded model of the app's own layout.
    @Test func aFlowerAppThatPartitionsByIdTrainsOnDisjointShards() async throws {
        let stack = try await TestStack.make(clusters: 2, label: "by-id")
        let mnist = ProcessInfo.processInfo.environment["FLOTILLA_MNIST_DIR"]
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/flotilla/mnist").path
        // The "full training set" the app partitions: 8,000 MNIST images, so the test stays light under load.
        let trainingSet = try LabeledImages.loadMNIST(directory: URL(fileURLWithPath: mnist), split: .train).prefix(8_000)
        let datasetDirectory = stack.root.appendingPathComponent("mnist-8000")
        try trainingSet.write(to: datasetDirectory, split: .train)
        let initial = SafeTensors.encode(ModelArchitecture.softmaxRegression(inputs: 784, classes: 10).initialParameters(seed: 2))
        let digest = AppArchive.digest(of: initial)
        let app = Self.repository.appendingPathComponent("examples/flower-mnist").path
        let adapter = Self.repository.appendingPathComponent("trainers/flower/flotilla_flower.py").path
        let trainer = "{command: [python3, \(adapter), serve, --app, \(app)], mode: serve, timeoutSeconds: 120, "
            + "config: {partitioning: by-id, dataset-dir: \"\(datasetDirectory.path)\", learning-rate: 0.1, local-epochs: 2}}"
        let done = try await stack.running(try stack.services(clusters: 2)) {
            _ = try await stack.waitFor("v1/clusters", as: ClusterList.self) { $0.items.filter { $0.state == "Registered" }.count == 2 }
            #expect(try await stack.put("v1/blobs/\(digest)", body: Data(initial), contentType: "application/octet-stream").0 == 201)
            let document = TestStack.jobDocument(name: "by-id", rounds: 2, minimum: 2, trainer: trainer, evaluation: "{everyRounds: 2}", initialModel: digest)
            #expect(try await stack.post("v1/jobs", body: document).0 == 202)
            return try await stack.waitFor("v1/jobs/by-id", as: JobView.self, timeout: .seconds(180)) { job in
                job.phase == "Completed" && job.roundDetails.count == 2 && job.roundDetails[1].evaluation?.clusters.count == 2
            }
        }
        // Two disjoint halves of the set, each with a tenth held out for evaluation.
        let half = trainingSet.count / 2
        let expected = half - half / 10
        for round in done.roundDetails {
            #expect(round.contributions.map(\.examples) == [expected, expected], "round \(round.round): \(round.contributions)")
        }
        let evaluation = try #require(done.roundDetails.last?.evaluation)
        #expect(evaluation.clusters.allSatisfy { $0.examples == half / 10 })
        #expect((evaluation.metrics["eval-acc"] ?? 0) >= 0.8, "federated accuracy: \(evaluation.metrics)")
        print("by-id partitioning: 2 × \(expected) training examples; federated eval-acc after 2 rounds \(evaluation.metrics["eval-acc"] ?? .nan)")
    }

    @Test func theBuiltInTrainerIsEvaluatedOnItsHeldOutData() async throws {
        let stack = try await TestStack.make(clusters: 2, label: "builtin-eval")
        let done = try await stack.running(try stack.services(clusters: 2)) {
            _ = try await stack.waitFor("v1/clusters", as: ClusterList.self) { $0.items.filter { $0.state == "Registered" }.count == 2 }
            #expect(try await stack.post("v1/jobs", body: TestStack.jobDocument(name: "builtin", rounds: 4, minimum: 2, evaluation: "{everyRounds: 2}")).0 == 202)
            return try await stack.waitFor("v1/jobs/builtin", as: JobView.self, timeout: .seconds(120)) { job in
                job.phase == "Completed" && job.roundDetails.count == 4 && job.roundDetails[3].evaluation?.clusters.count == 2
            }
        }
        #expect(done.roundDetails.map { $0.evaluation != nil } == [false, true, false, true], "evaluated every second round only")
        let evaluation = try #require(done.roundDetails[3].evaluation)
        #expect(Set(evaluation.metrics.keys) == ["accuracy", "loss"])
        for cluster in evaluation.clusters {
            let shard = try LabeledImages.loadMNIST(directory: stack.root.appendingPathComponent("data/private/\(cluster.cluster)"), split: .train)
            #expect(cluster.examples == shard.count / 10, "every tenth example of \(cluster.cluster)'s \(shard.count) is held out")
        }
    }

    @Test func aFailingTrainerIsQuotedAndNoUpdateIsSent() async throws {
        let stack = try await TestStack.make(clusters: 1, label: "failing-trainer")
        let trainer = #"{command: [sh, -c, "echo 'loading shard'; echo 'RuntimeError: CUDA out of memory' >&2; exit 2"]}"#
        let done = try await stack.running(try stack.services(clusters: 1)) {
            _ = try await stack.waitFor("v1/clusters", as: ClusterList.self) { $0.items.contains { $0.state == "Registered" } }
            #expect(try await stack.post("v1/jobs", body: TestStack.jobDocument(name: "failing", rounds: 2, minimum: 1, trainer: trainer)).0 == 202)
            return try await stack.waitFor("v1/jobs/failing", as: JobView.self, timeout: .seconds(60)) { job in
                job.roundDetails.first?.failures?.isEmpty == false
            }
        }
        let failure = try #require(done.roundDetails.first?.failures?.first)
        #expect(failure.cluster == "c1")
        #expect(failure.reason.contains("the trainer exited with status 2"), "\(failure.reason)")
        #expect(failure.reason.contains("RuntimeError: CUDA out of memory"), "\(failure.reason)")
        #expect(done.roundDetails.first?.updatesReceived == 0)
    }
}
