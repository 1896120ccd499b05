import Collaborator
import Foundation
import Testing
@testable import Shared

/// Round policy `onQuorumMissed: askForMoreClients` on the real services: a selected cluster
/// that stays registered but never trains misses the deadline; the aggregator asks placement
/// for more clients, placement replaces it, the replacement joins the same round, and the
/// job completes. The status API shows who was unresponsive and why placement dropped it.
@Suite(.timeLimit(.minutes(2)))
struct MoreClientsIntegrationTests {
    struct Rounds: Decodable {
        struct Round: Decodable {
            var round: Int
            var unresponsive: [String]
            var contributions: [JobView.Contribution]
            var participants: [JobView.Participant]
        }
        var items: [Round]
    }

    static let document = TestStack.jobDocument(
        name: "more-clients", rounds: 2, minimum: 2, numberOfClusters: 2,
        aggregation: "{roundDeadlineSeconds: 3, minResponses: 2, onQuorumMissed: askForMoreClients}"
    )

    @Test func anUnresponsiveClusterIsReplacedWithinTheRound() async throws {
        let stack = try await TestStack.make(clusters: 3, label: "more")
        // c1 heartbeats (stays registered and selectable) but never trains.
        let silent = try stack.collaboratorServices(1).filter { !($0 is CollaboratorService) }
        let services = try stack.hubServices() + silent + stack.collaboratorServices(2) + stack.collaboratorServices(3)
        try await stack.running(services) {
            _ = try await stack.waitFor("v1/clusters", as: ClusterList.self) { $0.items.filter { $0.state == "Registered" }.count == 3 }
            let (status, body) = try await stack.post("v1/jobs", body: Self.document)
            #expect(status == 202, "\(String(decoding: body, as: UTF8.self))")
            _ = try await stack.waitFor("v1/jobs/more-clients", as: JobView.self) { $0.phase == "Completed" && $0.rounds.completed == 2 }
            let rounds = try await stack.waitFor("v1/jobs/more-clients/rounds", as: Rounds.self) { $0.items.count == 2 && !$0.items[0].unresponsive.isEmpty }
            #expect(rounds.items[0].unresponsive == ["c1"])
            #expect(Set(rounds.items[0].contributions.map(\.cluster)) == ["c2", "c3"])
            #expect(rounds.items[0].participants.map(\.cluster) == ["c1", "c2", "c3"])
            #expect(Set(rounds.items[1].contributions.map(\.cluster)) == ["c2", "c3"])
            let placement = try await stack.get("v1/jobs/more-clients/placement").1
            let view = try JSONCoding.decoder.decode(PlacementView.self, from: placement)
            let c1 = try #require(view.decision.explanations.first { $0.cluster == "c1" })
            #expect(c1.filteredBy == "unresponsive" && c1.filterReason == "sent no update for round 1 by its deadline")
        }
    }

    struct PlacementView: Decodable { var decision: PlacementDecision }
}
