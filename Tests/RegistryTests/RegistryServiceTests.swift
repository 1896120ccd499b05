import Foundation
import Logging
import Testing
@testable import Registry
@testable import Shared

/// The registry's handling in process over the in-memory sink: what it publishes for the
/// agents' commands it consumes, in milliseconds and without a broker.
@Suite struct RegistryServiceTests {
    let sink = RecordingEventSink(source: "flotilla/registry")
    let service: RegistryService

    init() {
        service = RegistryService(
            configuration: HubConfiguration(kafka: KafkaConfiguration(bootstrapServers: "unused:9092", clientID: "in-process"), topicPrefix: ""),
            sink: sink, lease: LeaseSettings(duration: 5, checkInterval: 1), logger: Logger(label: "test.registry")
        )
    }

    @discardableResult
    func consume(_ payload: some EventPayload) async throws -> EventEnvelope {
        let envelope = payload.envelope(source: "test", time: Date())
        try await service.handle(ConsumedEvent(
            envelope: envelope, message: KafkaConsumerMessage(topic: envelope.type.topic.rawValue, partition: 0, offset: 0, value: []), topic: envelope.type.topic
        ))
        return envelope
    }

    func facts() async throws -> [ClusterRegistered] {
        try await sink.envelopes(of: .clusterRegistered).map { try ClusterRegistered(from: $0) }
    }

    @Test func aRegistrationIsPublishedOnceAndOnlyAChangePublishesAgain() async throws {
        try await consume(ClusterRegistryTests.request())
        try await consume(ClusterRegistryTests.request())
        try await consume(ClusterHeartbeat(cluster: "c1"))
        #expect(try await facts().map(\.generation) == [1], "a repeated registration or a heartbeat of a live cluster is no new fact")
        try await consume(ClusterRegistryTests.request(claims: ["data": "/e"]))
        #expect(try await facts().map(\.generation) == [1, 2])
        #expect(try await facts().last?.cluster.claims == ["data": "/e"])
    }

    @Test func aRejectionNamesTheFieldAndTheRequestItAnswers() async throws {
        let request = try await consume(ClusterRegistryTests.request("Bad_Name"))
        let rejected = try await sink.envelopes(of: .clusterRegistrationRejected).map { try ClusterRegistrationRejected(from: $0) }
        #expect(rejected.count == 1)
        #expect(rejected.first?.requestID == request.id)
        #expect(rejected.first?.errors.contains { $0.field == "name" } == true, "\(rejected)")
        #expect(try await facts().isEmpty)
    }

    @Test func anExpiredLeaseTaintsOnceAndAHeartbeatLiftsTheTaint() async throws {
        try await consume(ClusterRegistryTests.request())
        let monitor = service.leaseMonitor
        try await monitor.expire(checkedAt: Date.eventNow.addingTimeInterval(2))
        #expect(try await facts().count == 1, "the lease has not run out")
        try await monitor.expire(checkedAt: Date.eventNow.addingTimeInterval(6))
        try await monitor.expire(checkedAt: Date.eventNow.addingTimeInterval(7))
        var facts = try await facts()
        #expect(facts.map(\.generation) == [1, 2], "tainted once, not once per check")
        #expect(facts.last?.cluster.taints.map(\.key) == [Taint.unavailableKey])

        try await consume(ClusterHeartbeat(cluster: "c1"))
        facts = try await self.facts()
        #expect(facts.map(\.generation) == [1, 2, 3])
        #expect(facts.last?.cluster.taints.isEmpty == true)
    }

    @Test func aDeregistrationIsPublishedOnceAndEndsTheLease() async throws {
        try await consume(ClusterRegistryTests.request())
        try await consume(ClusterDeregistrationRequested(cluster: "c1", reason: "bye"))
        try await consume(ClusterDeregistrationRequested(cluster: "c1", reason: "bye"))
        #expect(await sink.envelopes(of: .clusterDeregistered).count == 1)
        try await service.leaseMonitor.expire(checkedAt: Date.eventNow.addingTimeInterval(60))
        #expect(try await facts().count == 1, "a departed cluster is never tainted")
    }

    @Test func runNeedsABroker() async {
        await #expect(throws: HandlingOnly.self) { try await service.run() }
    }
}
