import Foundation
import Learning
import Testing
@testable import Collaborator
@testable import Shared

/// Point 4 of issue 9: the data path a collaborator is handed comes from a claim value on the
/// log; it must resolve inside FLOTILLA_DATA_ROOT, links included, or the round is refused.
@Suite struct DataPathConfinementTests {
    static func withData(_ body: (_ root: URL, _ outside: URL) async throws -> Void) async throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("data-path-\(UUID().uuidString)")
        let root = base.appendingPathComponent("root"), outside = base.appendingPathComponent("outside-root")
        let data = try LabeledImages.synthetic(count: 20, featureCount: 4, classes: 2, seed: 1)
        try data.write(to: root.appendingPathComponent("data/private/c1"), split: .train)
        try data.write(to: outside, split: .train)
        defer { try? FileManager.default.removeItem(at: base) }
        try await body(root, outside)
    }

    @Test func dataInsideTheRootIsRead() async throws {
        try await Self.withData { root, _ throws in
            let workspace = TrainingWorkspace(dataRoot: root.path)
            #expect(try await workspace.dataset(at: "/data/private/c1").count == 20)
        }
    }

    @Test func aPathClimbingOutOfTheRootIsRefused() async throws {
        try await Self.withData { root, _ throws in
            let workspace = TrainingWorkspace(dataRoot: root.path)
            let error = await #expect(throws: TrainingWorkspace.RoundError.self) { _ = try await workspace.dataset(at: "/../outside-root") }
            guard case .dataPathRefused(let refusal)? = error else {
                Issue.record("expected a refused data path, got \(String(describing: error))")
                return
            }
            #expect(refusal.problem.contains("'..'"), "\(refusal)")
        }
    }

    @Test func aLinkInsideTheRootPointingOutIsRefused() async throws {
        try await Self.withData { root, outside throws in
            try FileManager.default.createSymbolicLink(at: root.appendingPathComponent("data/shared"), withDestinationURL: outside)
            let workspace = TrainingWorkspace(dataRoot: root.path)
            let error = await #expect(throws: TrainingWorkspace.RoundError.self) { _ = try await workspace.dataset(at: "/data/shared") }
            guard case .dataPathRefused(let refusal)? = error else {
                Issue.record("expected a refused data path, got \(String(describing: error))")
                return
            }
            #expect(refusal.problem.contains("outside the root"), "\(refusal)")
        }
    }
}

/// A `RoundStarted` from the log gets the job document's training limits before anything is
/// allocated or trained, so a round put there directly cannot train for ever or exhaust memory.
@Suite struct RoundSettingsTests {
    static func round(architecture: ModelArchitecture = .softmaxRegression(inputs: 4, classes: 2), epochs: Int = 1) -> RoundStarted {
        RoundStarted(
            jobID: "job-a", round: 1, participants: [Participant(cluster: "c1", dataPath: "/d")], baseVersion: 0, baseModelSHA256: "x",
            architecture: architecture, training: TrainingConfiguration(epochs: epochs, batchSize: 8, learningRate: 0.1)
        )
    }

    @Test(arguments: [
        (round(epochs: 1_000_000_000), "epochs"),
        (round(architecture: .mlp(inputs: 1 << 24, hidden: 1 << 16, classes: 10)), "too large"),
        (round(architecture: .mlp(inputs: 1 << 20, hidden: 1 << 10, classes: 10)), "parameters"),
        (round(architecture: .softmaxRegression(inputs: 0, classes: 2)), "model"),
    ])
    func outOfRangeSettingsAreRefusedWithTheReason(round: RoundStarted, mention: String) async throws {
        let workspace = TrainingWorkspace(dataRoot: "/nonexistent")
        let error = await #expect(throws: TrainingWorkspace.RoundError.self) { _ = try await workspace.train(for: round, as: "c1", dataPath: "/d") }
        guard case .settingsRefused(let problems)? = error else {
            Issue.record("expected refused settings, got \(String(describing: error))")
            return
        }
        #expect(problems.contains(mention), "\(problems)")
    }
}
