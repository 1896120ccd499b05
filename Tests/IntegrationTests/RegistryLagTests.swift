import Foundation
import Registry
import Testing
@testable import Shared

/// A registry that lags behind its topic (a backlog, a loaded machine: CI once failed a job
/// this way) must not taint a live cluster whose heartbeats it has not read yet: a lease is
/// judged only once every command sent before the check has been read. A cluster that really
/// stops is still tainted.
@Suite(.timeLimit(.minutes(3)))
struct RegistryLagTests {
    static let source = "test/registry-lag"

    @Test func aLaggingRegistryTaintsNoLiveCluster() async throws {
        let stack = try await TestStack.make(clusters: 1, label: "registry-lag")
        let producer = try KafkaProducer(configuration: stack.hub.kafka, logger: stack.logger)
        func send(_ payload: some EventPayload) async throws -> String {
            let envelope = payload.envelope(source: Self.source)
            _ = try await producer.send(envelope.record(prefix: stack.hub.topicPrefix))
            return envelope.id
        }
        let steady = ClusterRegistration(name: "steady", claims: ["data": "/d"], resources: ClusterResources(cpuMillicores: 1000, memoryBytes: 1 << 30))
        try await stack.running(try stack.registryServices(lease: LeaseSettings(duration: 3, checkInterval: 1))) {
            _ = try await send(ClusterRegistrationRequested(registration: steady))
            try await ConsumedEventValidationTests.follow(.clusters, on: stack, timeout: .seconds(30)) { messages in
                messages.last.flatMap(Self.fact)?.cluster.name == "steady"
            }
            // The cluster beats every 500 ms throughout; a backlog of bad registrations (each
            // costs the registry a published rejection; it answers a few hundred a second here)
            // holds the registry seconds behind.
            let beating = Task {
                while !Task.isCancelled {
                    _ = try await send(ClusterHeartbeat(cluster: "steady"))
                    try await Task.sleep(for: .milliseconds(500))
                }
            }
            let junk = ClusterRegistrationRequested(registration: ClusterRegistration(name: "Not_A_Name", resources: steady.resources))
            func sendJunk(_ count: Int) async throws -> String {
                for start in stride(from: 0, to: count, by: 1000) {
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        for _ in start..<min(count, start + 1000) { group.addTask { _ = try await send(junk) } }
                        try await group.waitForAll()
                    }
                }
                return try await send(junk)  // the last: once it is answered, the backlog is read
            }
            func answered(_ request: String) async throws {
                try await ConsumedEventValidationTests.follow(.clusters, on: stack, timeout: .seconds(120)) { messages in
                    messages.last.flatMap(Self.rejection)?.requestID == request
                }
            }
            try await answered(try await sendJunk(4_000))
            beating.cancel()
            _ = await beating.result
            // Then the cluster stops beating: the lease runs out and it is tainted.
            let stopped = Date.eventNow
            try await ConsumedEventValidationTests.follow(.clusters, on: stack, timeout: .seconds(30)) { messages in
                guard let envelope = messages.last.flatMap({ try? EventEnvelope(message: $0) }), envelope.time > stopped,
                      let fact = Self.payload(ClusterRegistered.self, of: envelope) else { return false }
                return fact.cluster.name == "steady" && fact.isUnavailable
            }
        }
        await producer.shutdown()

        let envelopes = try await EventLog.read(topics: [.clusters, .registrations], stack: stack, idle: .seconds(2))
            .compactMap { try? EventEnvelope(message: $0) }
        let sentAt = Dictionary(envelopes.filter { $0.source == Self.source }.map { ($0.id, $0.time) }) { first, _ in first }
        let lags = envelopes.compactMap { envelope -> TimeInterval? in
            guard let rejection = Self.payload(ClusterRegistrationRejected.self, of: envelope), let id = rejection.requestID, let sent = sentAt[id] else { return nil }
            return envelope.time.timeIntervalSince(sent)
        }
        let worstLag = lags.max() ?? 0
        #expect(worstLag > 3, "the backlog did not hold the registry behind by more than a lease (worst lag \(worstLag) s), so this run proves nothing")
        let taints = envelopes.compactMap { Self.payload(ClusterRegistered.self, of: $0) }.filter { $0.cluster.name == "steady" && $0.isUnavailable }
        #expect(taints.count == 1, "steady was tainted \(taints.count) times (at \(taints.compactMap { $0.cluster.taints.first?.timeAdded })); only its real expiry at the end counts")
        print("registry lag: \(lags.count) rejections, worst \(String(format: "%.1f", worstLag)) s behind; steady tainted \(taints.count)×")
    }

    static func payload<P: EventPayload>(_ type: P.Type, of envelope: EventEnvelope) -> P? {
        guard envelope.type == P.eventType else { return nil }
        return try? JSONCoding.decoder.decode(P.self, from: Data(envelope.data))
    }

    static func fact(in message: KafkaConsumerMessage) -> ClusterRegistered? {
        (try? EventEnvelope(message: message)).flatMap { payload(ClusterRegistered.self, of: $0) }
    }

    static func rejection(in message: KafkaConsumerMessage) -> ClusterRegistrationRejected? {
        (try? EventEnvelope(message: message)).flatMap { payload(ClusterRegistrationRejected.self, of: $0) }
    }
}
