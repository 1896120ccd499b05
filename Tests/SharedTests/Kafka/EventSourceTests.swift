import Foundation
import Logging
import Synchronization
import Testing
@testable import Shared

/// The one consumer start-up every service uses: it creates the topics, and starts where it is
/// told: explicit offsets, or past a replay (each event either replayed or consumed live, once).
@Suite("Event source", .timeLimit(.minutes(1)))
struct EventSourceTests {
    struct Stack {
        let hub: HubConfiguration
        let producer: KafkaProducer
        let publisher: EventPublisher
        var source: EventSource { EventSource(service: "source-test", configuration: hub, publisher: publisher, logger: KafkaTestBroker.logger) }
    }

    static func withStack(_ body: (Stack) async throws -> Void) async throws {
        try await KafkaTestBroker.with { bootstrap in
            var kafka = KafkaTestBroker.configuration(bootstrap)
            kafka.fetchWaitMaxMilliseconds = 10
            let hub = HubConfiguration(kafka: kafka, topicPrefix: KafkaTestBroker.uniqueName("src"))
            let producer = try KafkaProducer(configuration: kafka, logger: KafkaTestBroker.logger)
            let stack = Stack(hub: hub, producer: producer, publisher: EventPublisher(producer: producer, topicPrefix: hub.topicPrefix, source: "test"))
            do {
                try await body(stack)
            } catch {
                await producer.shutdown()
                throw error
            }
            await producer.shutdown()
        }
    }

    /// Runs `consume` until `done` holds (then a little longer, for anything that should not
    /// come), then stops it.
    static func consume(until done: () async -> Bool, _ consume: @escaping @Sendable () async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await consume() }
            let deadline = ContinuousClock.now + .seconds(30)
            while await !done(), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
            try await Task.sleep(for: .milliseconds(300))
            group.cancelAll()
        }
    }

    @Test("consuming creates every topic with its partition count")
    func consumingCreatesTheTopics() async throws {
        try await Self.withStack { stack in
            let admin = KafkaAdmin(configuration: stack.hub.kafka, logger: KafkaTestBroker.logger)
            let last = stack.hub.topic(Topic.allCases.last!)
            try await Self.consume(until: { (try? await admin.partitionCount(of: last)) != nil }) {
                try await stack.source.consume([.registrations], from: .committed) { _ in }
            }
            for topic in Topic.allCases {
                #expect(try await admin.partitionCount(of: stack.hub.topic(topic)) == topic.partitions, "\(topic)")
            }
        }
    }

    @Test("explicit offsets: each partition starts where it is told")
    func explicitOffsets() async throws {
        try await Self.withStack { stack in
            try await TopicBootstrap.ensureTopics(admin: KafkaAdmin(configuration: stack.hub.kafka, logger: KafkaTestBroker.logger), prefix: stack.hub.topicPrefix)
            var sent: [(id: String, partition: Int32, offset: Int64)] = []
            for _ in 0..<4 {
                let envelope = ClusterHeartbeat(cluster: "a").envelope(source: "test")
                let (partition, offset) = try await stack.publisher.publish(envelope)
                sent.append((envelope.id, partition, offset))
            }
            let collected = Collected()
            let start: [String: [Int32: Int64]] = [stack.hub.topic(.registrations): [sent[2].partition: sent[2].offset]]
            try await Self.consume(until: { collected.live.count >= 2 }) {
                try await stack.source.consume([.registrations], from: .offsets(start)) { collected.record(live: $0) }
            }
            #expect(collected.live == [sent[2].id, sent[3].id])
        }
    }

    @Test("replay then live: every event is either replayed or consumed live, once")
    func replayThenLive() async throws {
        try await Self.withStack { stack in
            try await TopicBootstrap.ensureTopics(admin: KafkaAdmin(configuration: stack.hub.kafka, logger: KafkaTestBroker.logger), prefix: stack.hub.topicPrefix)
            var before: [String] = []
            for index in 0..<6 { before.append(try await stack.publisher.publish(ClusterHeartbeat(cluster: "c\(index)")).id) }
            let collected = Collected()
            let publisher = stack.publisher
            let after = Mutex<[String]>([])
            // Events published after the replay's markers, while the state is being finished.
            let start = ConsumerStart.replaying([.registrations], into: { collected.record(replayed: $0) }) {
                for index in 0..<4 {
                    let id = try await publisher.publish(ClusterHeartbeat(cluster: "d\(index)")).id
                    after.withLock { $0.append(id) }
                }
            }
            try await Self.consume(until: { collected.live.count >= 4 }) {
                try await stack.source.consume([.registrations], from: start) { collected.record(live: $0) }
            }
            #expect(Set(collected.replayed) == Set(before) && collected.replayed.count == before.count)
            #expect(Set(collected.live) == Set(after.withLock { $0 }) && collected.live.count == 4)
        }
    }
}

final class Collected: Sendable {
    private let state = Mutex<(replayed: [String], live: [String])>(([], []))
    var replayed: [String] { state.withLock { $0.replayed } }
    var live: [String] { state.withLock { $0.live } }
    func record(replayed event: ConsumedEvent) { state.withLock { $0.replayed.append(event.envelope.id) } }
    func record(live event: ConsumedEvent) { state.withLock { $0.live.append(event.envelope.id) } }
}
