import Foundation
import Shared
import Testing

/// Latency and throughput on the test broker. Opt-in (`FLOTILLA_KAFKA_BENCH=1`): timings are
/// printed, not asserted, because CI machines vary.
@Suite(
    "Kafka measurements", .timeLimit(.minutes(1)),
    .enabled(if: ProcessInfo.processInfo.environment["FLOTILLA_KAFKA_BENCH"] == "1")
)
struct KafkaBenchmarkTests {
    private static let payload = [UInt8](repeating: 0x2A, count: 1024)

    private func makeTopic(_ configuration: KafkaConfiguration) async throws -> String {
        let topic = KafkaTestBroker.uniqueName("bench")
        try await KafkaAdmin(configuration: configuration, logger: KafkaTestBroker.logger)
            .createTopics([KafkaTopicSpecification(name: topic, partitions: 1)])
        return topic
    }

    @Test("synchronous send latency and pipelined throughput, 1 KB messages")
    func produce() async throws {
        try await KafkaTestBroker.with { bootstrap in
            let configuration = KafkaTestBroker.configuration(bootstrap)
            let topic = try await makeTopic(configuration)
            let producer = try KafkaProducer(configuration: configuration, logger: KafkaTestBroker.logger)
            let clock = ContinuousClock()

            for _ in 0..<100 { try await producer.send(KafkaRecord(topic: topic, value: Self.payload)) }  // warm-up
            var latencies: [Duration] = []
            for _ in 0..<2000 {
                let start = clock.now
                try await producer.send(KafkaRecord(topic: topic, value: Self.payload))
                latencies.append(clock.now - start)
            }
            report("sync send (linger.ms=5)", latencies)

            var noLinger = configuration
            noLinger.lingerMilliseconds = 0
            let fastProducer = try KafkaProducer(configuration: noLinger, logger: KafkaTestBroker.logger)
            latencies.removeAll()
            for _ in 0..<2000 {
                let start = clock.now
                try await fastProducer.send(KafkaRecord(topic: topic, value: Self.payload))
                latencies.append(clock.now - start)
            }
            report("sync send (linger.ms=0)", latencies)
            await fastProducer.shutdown()

            let total = 100_000
            let window = 2000
            let start = clock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<total {
                    if index >= window { try await group.next() }
                    group.addTask { try await producer.send(KafkaRecord(topic: topic, value: Self.payload)) }
                }
                try await group.waitForAll()
            }
            let seconds = Double((clock.now - start).components.attoseconds) / 1e18 + Double((clock.now - start).components.seconds)
            print("[bench] pipelined confirmed sends: \(total) x 1 KB in \(String(format: "%.2f", seconds)) s = \(Int(Double(total) / seconds)) msg/s (\(window) in flight)")
            await producer.shutdown()

            let consumer = try KafkaConsumer(
                configuration: configuration, groupID: KafkaTestBroker.uniqueName("group"),
                subscription: .assignAll(topics: [topic], start: .beginning), logger: KafkaTestBroker.logger
            )
            let expected = total + 2100
            let consumeStart = clock.now
            var count = 0
            for try await _ in consumer.messages {
                count += 1
                if count == expected { break }
            }
            let consumeSeconds = Double((clock.now - consumeStart).components.attoseconds) / 1e18 + Double((clock.now - consumeStart).components.seconds)
            print("[bench] consume: \(count) x 1 KB in \(String(format: "%.2f", consumeSeconds)) s = \(Int(Double(count) / consumeSeconds)) msg/s")
            await consumer.close()
        }
    }

    @Test("end-to-end latency with fetch.wait.max.ms 20", arguments: [5, 0])
    func endToEnd(lingerMilliseconds: Int) async throws {
        try await KafkaTestBroker.with { bootstrap in
            var configuration = KafkaTestBroker.configuration(bootstrap)  // fetchWaitMaxMilliseconds = 20
            configuration.lingerMilliseconds = lingerMilliseconds
            let topic = try await makeTopic(configuration)
            let producer = try KafkaProducer(configuration: configuration, logger: KafkaTestBroker.logger)
            let consumer = try KafkaConsumer(
                configuration: configuration, groupID: KafkaTestBroker.uniqueName("group"),
                subscription: .assignAll(topics: [topic], start: .beginning), logger: KafkaTestBroker.logger
            )
            let clock = ContinuousClock()
            var iterator = consumer.messages.makeAsyncIterator()
            var latencies: [Duration] = []
            for index in 0..<200 {
                // A quiet topic between messages, as for control traffic.
                try await Task.sleep(for: .milliseconds(5))
                let start = clock.now
                async let delivered = producer.send(KafkaRecord(topic: topic, value: Array("\(index)".utf8)))
                let message = try #require(try await iterator.next())
                let latency = clock.now - start
                _ = try await delivered
                #expect(message.valueString == "\(index)")
                if index >= 10 { latencies.append(latency) }
            }
            report("end-to-end (send -> next(), linger.ms=\(lingerMilliseconds))", latencies)
            await consumer.close()
            await producer.shutdown()
        }
    }

    private func report(_ label: String, _ samples: [Duration]) {
        let sorted = samples.sorted()
        func ms(_ quantile: Double) -> String {
            let value = sorted[min(sorted.count - 1, Int(Double(sorted.count) * quantile))]
            return String(format: "%.3f", Double(value.components.attoseconds) / 1e15 + Double(value.components.seconds) * 1000)
        }
        print("[bench] \(label): n=\(sorted.count) p50=\(ms(0.5)) ms p90=\(ms(0.9)) ms p99=\(ms(0.99)) ms")
    }
}
