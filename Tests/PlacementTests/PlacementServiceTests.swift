import Foundation
import Logging
import Testing
@testable import Placement
@testable import Shared

/// Placement's handling in process over the in-memory sink: what it publishes for the jobs and
/// cluster facts it consumes, and what it refuses, in milliseconds and without a broker.
@Suite struct PlacementServiceTests {
    let sink = RecordingEventSink(source: "flotilla/placement")
    let service: PlacementService

    init() {
        service = PlacementService(
            configuration: HubConfiguration(kafka: KafkaConfiguration(bootstrapServers: "unused:9092", clientID: "in-process"), topicPrefix: ""),
            sink: sink, logger: Logger(label: "test.placement")
        )
    }

    func consume(_ payload: some EventPayload) async throws {
        let envelope = payload.envelope(source: "test", time: Date())
        try await service.handle(ConsumedEvent(
            envelope: envelope, message: KafkaConsumerMessage(topic: envelope.type.topic.rawValue, partition: 0, offset: 0, value: []), topic: envelope.type.topic
        ))
    }

    func decisions() async throws -> [PlacementDecided] {
        try await sink.envelopes(of: .placementDecided).map { try PlacementDecided(from: $0) }
    }

    @Test func aJobIsPlacedWhenEnoughClustersClaimItsDataAndReplacedWhenOneLeaves() async throws {
        try await consume(ClusterRegistered(cluster: PlacementCoordinatorTests.cluster("c1", data: "/data/1"), generation: 1))
        try await consume(PlacementCoordinatorTests.job(minimum: 1))
        try await consume(ClusterRegistered(cluster: PlacementCoordinatorTests.cluster("c2", data: "/data/2"), generation: 1))
        var decided = try await decisions()
        #expect(decided.first?.sufficient == true && decided.first?.participants.map(\.cluster) == ["c1"])
        #expect(decided.last?.participants.map(\.cluster) == ["c1", "c2"], "the newcomer joins: \(decided.map(\.message))")

        try await consume(ClusterDeregistered(cluster: "c1", reason: "left"))
        decided = try await decisions()
        #expect(decided.last?.participants == [Participant(cluster: "c2", dataPath: "/data/2")])
    }

    @Test func aJobTheDoorWouldRefuseIsRefusedAndNeverPlaced() async throws {
        try await consume(ClusterRegistered(cluster: PlacementCoordinatorTests.cluster("c1", data: "/data/1"), generation: 1))
        var bad = PlacementCoordinatorTests.job(minimum: 1)
        bad.job.spec.client.image = "image\u{0}"
        await #expect(throws: PermanentEventError.self) { try await consume(bad) }
        #expect(try await decisions().isEmpty)
    }
}
