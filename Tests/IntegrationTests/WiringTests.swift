import Foundation
import Testing
@testable import Shared

/// The test stack runs each service as its executable does, built by the same library
/// function from the same configuration: e.g. every model on the wire is cut into pieces of
/// the configured size, by the aggregator as by the collaborators.
@Suite(.timeLimit(.minutes(2)))
struct WiringTests {
    @Test func everyModelOnTheWireIsCutToTheConfiguredChunkSize() async throws {
        let stack = try await TestStack.make(clusters: 1, label: "wiring")
        try await stack.running(try stack.services(clusters: 1)) {
            _ = try await stack.waitFor("v1/clusters", as: ClusterList.self) { $0.items.contains { $0.state == "Registered" } }
            #expect(try await stack.post("v1/jobs", body: TestStack.jobDocument(name: "wired", rounds: 1, minimum: 1)).0 == 202)
            _ = try await stack.waitFor("v1/jobs/wired", as: JobView.self) { $0.phase == "Completed" }
        }
        let models = try await EventLog.read(topics: [.rounds, .updates], stack: stack, idle: .seconds(1)).compactMap { message in
            try? ConsumedEvent(message: message, topicPrefix: stack.hub.topicPrefix).envelope
        }.filter { $0.type == .globalModelPublished || $0.type == .modelUpdateSubmitted }
        #expect(Set(models.map(\.type)) == [.globalModelPublished, .modelUpdateSubmitted])
        for envelope in models {
            #expect(envelope.chunk != nil && envelope.data.count <= stack.hub.modelChunkBytes, "\(envelope.type.rawValue) \(envelope.id): \(envelope.data.count) bytes")
        }
    }
}
