import Foundation
import Testing
@testable import Aggregator
@testable import Shared

/// Point 4 of issue 9: a `JobSubmitted` taken from the log passes the front door's rules again,
/// and its model directory must lie inside the model root, or the aggregator refuses it (the
/// handler throws `PermanentEventError`: dead-lettered with this reason).
@Suite struct JobAdmissionTests {
    static func job(path: String = "/models", image: String? = nil, rounds: Int = 2) -> JobSubmitted {
        JobSubmitted(job: FederatedLearningJob(
            metadata: ObjectMeta(name: "job-a"),
            spec: FederatedLearningSpec(
                server: ServerSpec(rounds: rounds, minAvailableClients: 1, storage: StorageSpec(path: path)),
                client: ClientSpec(image: image, placement: PlacementSpec(predicates: [ClusterPredicate(requiredClusterSelector: ClusterSelector(
                    claimSelector: ClusterClaimSelector(matchExpressions: [SelectorRequirement(key: "data", operator: .exists)])
                ))]))
            )
        ))
    }

    static func withModelRoot(_ body: (URL) throws -> Void) throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("model-root-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        try body(root)
    }

    @Test func aValidJobIsAdmitted() throws {
        try Self.withModelRoot { root in #expect(Self.job().admissionProblem(modelRoot: root.path) == nil) }
    }

    @Test(arguments: [
        (job(path: "/../../x"), "spec.server.storage.path"),
        (job(image: "client\u{0}"), "spec.client.image"),
        (job(rounds: 1_000_000_000_000), "spec.server.rounds"),
    ])
    func aJobTheDoorWouldRefuseIsRefused(submitted: JobSubmitted, field: String) throws {
        try Self.withModelRoot { root throws in
            let problem = try #require(submitted.admissionProblem(modelRoot: root.path))
            #expect(problem.contains(field), "\(problem)")
            #expect(!problem.contains("\u{0}"))  // the reason itself is safe to store and log
        }
    }

    @Test func aModelDirectoryLinkedOutOfTheRootIsRefused() throws {
        try Self.withModelRoot { root throws in
            let outside = root.appendingPathComponent("../\(root.lastPathComponent)-outside").standardizedFileURL
            try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: outside) }
            try FileManager.default.createSymbolicLink(at: root.appendingPathComponent("models"), withDestinationURL: outside)
            let problem = try #require(Self.job().admissionProblem(modelRoot: root.path))
            #expect(problem.contains("outside the root"), "\(problem)")
            // The store refuses it too, whenever the link appears.
            #expect(throws: PathConfinementError.self) { try ModelStore(root: root.path).checkDirectory(of: Self.job().job) }
        }
    }
}
