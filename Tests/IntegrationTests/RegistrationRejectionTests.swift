import Foundation
import Testing
@testable import Shared

/// A collaborator whose registration the hub refuses says why and exits non-zero, instead of
/// logging "registration sent" and idling for ever.
@Suite(.timeLimit(.minutes(1)))
struct RegistrationRejectionTests {
    @Test func aRejectedCollaboratorNamesTheReasonAndExitsNonZero() async throws {
        let stack = try await TestStack.make(clusters: 1, label: "rejected")
        try await stack.running(try stack.registryServices()) {
            let settings: [ConfigurationKey: String] = [
                .kafkaBootstrap: stack.hub.kafka.bootstrapServers, .topicPrefix: stack.hub.topicPrefix, .kafkaFetchWaitMilliseconds: "10",
                .clusterName: "c1", .clusterScores: "example.io/score=500", .heartbeatSeconds: "1", .dataRoot: stack.root.path,
            ]
            let agent = try ServiceProcess.start("flotilla-collaborator", settings: settings, log: stack.root.appendingPathComponent("c1.log"))
            let status = try await agent.waitForExit(timeout: .seconds(30))
            #expect(status == 1, "\(agent.logText)")
            #expect(agent.logText.contains("registration rejected"), "\(agent.logText)")
            #expect(agent.logText.contains("scores[example.io/score]"), "the reason names the field: \(agent.logText)")
        }
    }
}
