import Foundation
import Testing
@testable import Registry
@testable import Shared

/// A restarted registry rebuilds from the log with leases judged by event time: a cluster
/// whose heartbeats stopped long ago is tainted at once, live ones are not, and nothing
/// unchanged is published again.
@Suite struct RegistryReplayTests {
    static let t0 = Date(timeIntervalSince1970: 1_700_000_000.25)
    static let lease: TimeInterval = 3

    static func cluster(_ name: String, data: String = "/d", taintedAt: Date? = nil) -> ManagedCluster {
        ManagedCluster(
            name: name, labels: ["site": "a"], claims: ["data": data], resources: ClusterResources(cpuMillicores: 2000, memoryBytes: 1 << 30),
            taints: taintedAt.map { [Taint(key: Taint.unavailableKey, effect: .noSelect, timeAdded: $0)] } ?? []
        )
    }

    /// An agent's commands: its registration at `t0`, then a heartbeat every second in `beats`.
    static func agent(_ name: String, beats: ClosedRange<Int>, into replay: inout RegistryReplay, data: String = "/d") {
        replay.replay(ClusterRegistryTests.request(name, claims: ["data": data]), at: t0)
        for second in beats { replay.replay(ClusterHeartbeat(cluster: name), at: t0.addingTimeInterval(Double(second))) }
    }

    @Test func anUnchangedHistoryPublishesNothingAndKeepsGenerations() {
        var replay = RegistryReplay()
        replay.restore(ClusterRegistered(cluster: Self.cluster("c1"), generation: 4))
        Self.agent("c1", beats: 1...60, into: &replay)
        let (registry, outputs) = replay.finish(now: Self.t0.addingTimeInterval(60.5), leaseDuration: Self.lease)
        #expect(outputs.isEmpty)
        #expect(registry.entries["c1"]?.generation == 4)
        #expect(registry.entries["c1"]?.leaseRenewedAt == Self.t0.addingTimeInterval(60), "the lease runs from the last heartbeat's event time")
    }

    @Test func aClusterSilentByEventTimeIsTaintedAtOnceAndLiveOnesAreNot() throws {
        var replay = RegistryReplay()
        for name in ["c1", "c2", "c3"] { replay.restore(ClusterRegistered(cluster: Self.cluster(name), generation: 1)) }
        Self.agent("c1", beats: 1...60, into: &replay)
        Self.agent("c2", beats: 1...9, into: &replay)  // died at t0 + 9 s; the old registry never noticed
        Self.agent("c3", beats: 1...59, into: &replay)
        let now = Self.t0.addingTimeInterval(60.5)
        let (_, outputs) = replay.finish(now: now, leaseDuration: Self.lease)
        #expect(outputs == [.registered(ClusterRegistered(cluster: Self.cluster("c2", taintedAt: now), generation: 2))])
    }

    @Test func theTimeTheReplayTookDoesNotCountAgainstTheAgents() {
        var replay = RegistryReplay()
        replay.restore(ClusterRegistered(cluster: Self.cluster("c1"), generation: 1))
        Self.agent("c1", beats: 1...10, into: &replay)  // later heartbeats are past the replay's marker
        let readUntil = Self.t0.addingTimeInterval(10.5)
        let (registry, outputs) = replay.finish(now: Self.t0.addingTimeInterval(20.5), leaseDuration: Self.lease, commandsReadUntil: readUntil)
        #expect(outputs.isEmpty)
        #expect(registry.entries["c1"]?.leaseRenewedAt == Self.t0.addingTimeInterval(20))
    }

    @Test func aLoggedTaintStandsUnlessTheLeaseWasRenewedAfterIt() {
        var replay = RegistryReplay()
        replay.restore(ClusterRegistered(cluster: Self.cluster("c1"), generation: 1))
        replay.restore(ClusterRegistered(cluster: Self.cluster("c1", taintedAt: Self.t0.addingTimeInterval(13)), generation: 2))
        replay.restore(ClusterRegistered(cluster: Self.cluster("c2"), generation: 1))
        replay.restore(ClusterRegistered(cluster: Self.cluster("c2", taintedAt: Self.t0.addingTimeInterval(13)), generation: 2))
        Self.agent("c1", beats: 1...9, into: &replay)  // still dead
        Self.agent("c2", beats: 1...9, into: &replay)
        for second in 30...40 { replay.replay(ClusterHeartbeat(cluster: "c2"), at: Self.t0.addingTimeInterval(Double(second))) }  // back, never lifted
        let (registry, outputs) = replay.finish(now: Self.t0.addingTimeInterval(40.5), leaseDuration: Self.lease)
        #expect(outputs == [.registered(ClusterRegistered(cluster: Self.cluster("c2"), generation: 3))])
        #expect(registry.entries["c1"]?.cluster == Self.cluster("c1", taintedAt: Self.t0.addingTimeInterval(13)))
        #expect(registry.entries["c1"]?.generation == 2)
    }

    @Test func commandsWhoseFactsWereNeverLoggedArePublishedOnce() {
        var replay = RegistryReplay()
        replay.restore(ClusterRegistered(cluster: Self.cluster("c1"), generation: 2))
        replay.restore(ClusterRegistered(cluster: Self.cluster("c2"), generation: 1))
        Self.agent("c1", beats: 1...5, into: &replay)
        replay.replay(ClusterRegistryTests.request("c1", claims: ["data": "/new"]), at: Self.t0.addingTimeInterval(6))  // crashed before publishing
        Self.agent("c2", beats: 1...5, into: &replay)
        replay.replay(ClusterDeregistrationRequested(cluster: "c2", reason: "bye"))
        Self.agent("c3", beats: 1...5, into: &replay)
        let (_, outputs) = replay.finish(now: Self.t0.addingTimeInterval(6.5), leaseDuration: Self.lease)
        #expect(outputs == [
            .registered(ClusterRegistered(cluster: Self.cluster("c1", data: "/new"), generation: 3)),
            .deregistered(ClusterDeregistered(cluster: "c2", reason: "bye")),
            .registered(ClusterRegistered(cluster: Self.cluster("c3"), generation: 1)),
        ])
    }
}

extension RegistryReplayTests {
    /// A refused registration read during the replay (sent while the registry was down or still
    /// replaying) is answered once the replay ends; one already answered on the log is not.
    @Test func aRefusedRequestNotYetAnsweredIsRejectedAfterTheReplay() throws {
        var replay = RegistryReplay()
        var bad = ClusterRegistryTests.request("c1", claims: ["data": "/d"])
        bad.registration.scores = ["example.io/score": 500]
        replay.replay(bad, at: Self.t0, id: "answered-request")
        replay.replay(bad, at: Self.t0.addingTimeInterval(1), id: "unanswered-request")
        var logged = ClusterRegistrationRejected(cluster: "c1", errors: [])
        logged.requestID = "answered-request"
        let record = logged.envelope(source: "flotilla/registry", id: "rejection-1").record(prefix: "")
        let message = KafkaConsumerMessage(topic: record.topic, partition: 0, offset: 0, key: record.key, value: record.value, headers: record.headers)
        replay.apply(try ConsumedEvent(message: message, topicPrefix: ""))
        let (_, outputs) = replay.finish(now: Self.t0.addingTimeInterval(2), leaseDuration: Self.lease)
        let rejections = outputs.compactMap { output -> ClusterRegistrationRejected? in
            if case .rejected(let rejection) = output { return rejection }
            return nil
        }
        #expect(rejections.map(\.requestID) == ["unanswered-request"])
        #expect(rejections.first?.errors.contains { $0.field == "scores[example.io/score]" } == true, "\(rejections)")
    }
}
