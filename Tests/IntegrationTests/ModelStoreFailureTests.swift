import Foundation
import Testing
@testable import Shared

/// The aggregator cannot write a round's model (its directory's place is taken by a file). The
/// decision stands: it retries the write until the disk lets it, instead of failing the update
/// and having it handed over again (which would refuse the update as its own duplicate and
/// leave the round open for ever). Once the obstacle is gone the job completes, with nothing
/// rejected and every update counted.
@Suite(.timeLimit(.minutes(2)))
struct ModelStoreFailureTests {
    struct Rounds: Decodable {
        struct Rejection: Decodable { var cluster: String?; var reason: String }
        struct Round: Decodable {
            var round: Int
            var contributions: [JobView.Contribution]
            var rejections: [Rejection]
        }
        var items: [Round]
    }

    static let document = TestStack.jobDocument(name: "store-fails", rounds: 2, minimum: 2, numberOfClusters: 2)

    @Test func aModelThatCannotBeWrittenIsRetriedNotRejected() async throws {
        let stack = try await TestStack.make(clusters: 2, label: "store")
        let blocker = stack.modelRoot.appendingPathComponent("data/models/store-fails")
        try FileManager.default.createDirectory(at: blocker.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data("not a directory".utf8).write(to: blocker)
        let services = try stack.hubServices() + stack.collaboratorServices(1) + stack.collaboratorServices(2)
        try await stack.running(services) {
            _ = try await stack.waitFor("v1/clusters", as: ClusterList.self) { $0.items.filter { $0.state == "Registered" }.count == 2 }
            let (status, body) = try await stack.post("v1/jobs", body: Self.document)
            #expect(status == 202, "\(String(decoding: body, as: UTF8.self))")
            // Both updates of round 1 arrive; the round cannot end while its model cannot be written.
            let stuck = try await stack.waitFor("v1/jobs/store-fails", as: JobView.self) { $0.roundDetails.first?.updatesReceived == 2 }
            try await Task.sleep(for: .seconds(2))
            // (Read like every other view here: a loaded machine may answer 503 once, so decode only a 200.)
            let later = try await stack.waitFor("v1/jobs/store-fails", as: JobView.self) { _ in true }
            #expect(later.rounds.completed == 0 && later.phase == "Running", "\(stuck)")
            try FileManager.default.removeItem(at: blocker)
            _ = try await stack.waitFor("v1/jobs/store-fails", as: JobView.self) { $0.phase == "Completed" && $0.rounds.completed == 2 }
            let rounds = try await stack.waitFor("v1/jobs/store-fails/rounds", as: Rounds.self) { $0.items.count == 2 }
            for round in rounds.items {
                #expect(round.rejections.isEmpty, "round \(round.round): \(round.rejections.map(\.reason))")
                #expect(Set(round.contributions.map(\.cluster)) == ["c1", "c2"], "round \(round.round)")
            }
            #expect(FileManager.default.fileExists(atPath: stack.modelRoot.appendingPathComponent("data/models/store-fails/round-0002.safetensors").path))
        }
    }
}
