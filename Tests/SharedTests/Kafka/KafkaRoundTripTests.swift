import Foundation
import Shared
import Testing

@Suite("Kafka produce and consume", .timeLimit(.minutes(1)))
struct KafkaRoundTripTests {
    @Test("confirmed sends are consumed from the beginning with key, value, headers and timestamp")
    func produceThenConsumeFromBeginning() async throws {
        try await KafkaTestBroker.with { bootstrap in
            let configuration = KafkaTestBroker.configuration(bootstrap)
            let topic = KafkaTestBroker.uniqueName("roundtrip")
            try await KafkaAdmin(configuration: configuration, logger: KafkaTestBroker.logger)
                .createTopics([KafkaTopicSpecification(name: topic, partitions: 2)])

            let producer = try KafkaProducer(configuration: configuration, logger: KafkaTestBroker.logger)
            let before = Date()
            var sent: [String: (partition: Int32, offset: Int64)] = [:]
            for index in 0..<10 {
                let header = KafkaHeader(key: "flotilla-index", value: Array("\(index)".utf8))
                let delivery = try await producer.send(
                    KafkaRecord(topic: topic, key: "key-\(index % 3)", value: "value-\(index)", headers: [header])
                )
                sent["value-\(index)"] = delivery
            }
            await producer.shutdown()

            let consumer = try KafkaConsumer(
                configuration: configuration, groupID: KafkaTestBroker.uniqueName("group"),
                subscription: .assignAll(topics: [topic], start: .beginning), logger: KafkaTestBroker.logger
            )
            let messages = try await collect(10, from: consumer)
            await consumer.close()

            #expect(Set(messages.map(\.valueString)) == Set(sent.keys))
            for message in messages {
                let index = Int(message.valueString.dropFirst("value-".count))!
                #expect(message.topic == topic)
                #expect(message.key == Array("key-\(index % 3)".utf8))
                #expect(message.headers == [KafkaHeader(key: "flotilla-index", value: Array("\(index)".utf8))])
                #expect(message.header("flotilla-index") == Array("\(index)".utf8))
                let delivery = try #require(sent[message.valueString])
                #expect(message.partition == delivery.partition)
                #expect(message.offset == delivery.offset)
                let timestamp = try #require(message.timestamp)
                #expect(abs(timestamp.timeIntervalSince(before)) < 60)
            }
            // One key always lands in one partition.
            let partitionsByKey = Dictionary(grouping: messages, by: { $0.key! }).mapValues { Set($0.map(\.partition)) }
            #expect(partitionsByKey.values.allSatisfy { $0.count == 1 })
        }
    }

    @Test("explicit assign starts at the given offset")
    func explicitAssign() async throws {
        try await KafkaTestBroker.with { bootstrap in
            let configuration = KafkaTestBroker.configuration(bootstrap)
            let topic = KafkaTestBroker.uniqueName("assign")
            try await KafkaAdmin(configuration: configuration, logger: KafkaTestBroker.logger)
                .createTopics([KafkaTopicSpecification(name: topic, partitions: 1)])
            let producer = try KafkaProducer(configuration: configuration, logger: KafkaTestBroker.logger)
            for index in 0..<10 {
                try await producer.send(KafkaRecord(topic: topic, value: "m\(index)"))
            }
            await producer.shutdown()

            let consumer = try KafkaConsumer(
                configuration: configuration, groupID: KafkaTestBroker.uniqueName("group"),
                subscription: .assign([KafkaTopicPartitionOffset(topic: topic, partition: 0, offset: 6)]),
                logger: KafkaTestBroker.logger
            )
            let messages = try await collect(4, from: consumer)
            await consumer.close()
            #expect(messages.map(\.offset) == [6, 7, 8, 9])
            #expect(messages.map(\.valueString) == ["m6", "m7", "m8", "m9"])
        }
    }

    @Test("a 5 MiB message round-trips")
    func largeMessage() async throws {
        try await KafkaTestBroker.with { bootstrap in
            let configuration = KafkaTestBroker.configuration(bootstrap)
            let topic = KafkaTestBroker.uniqueName("large")
            try await KafkaAdmin(configuration: configuration, logger: KafkaTestBroker.logger)
                .createTopics([KafkaTopicSpecification(name: topic, partitions: 1)])
            let payload = (0..<(5 * 1024 * 1024)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 11) }

            let producer = try KafkaProducer(configuration: configuration, logger: KafkaTestBroker.logger)
            try await producer.send(KafkaRecord(topic: topic, key: Array("model".utf8), value: payload))
            await producer.shutdown()

            let consumer = try KafkaConsumer(
                configuration: configuration, groupID: KafkaTestBroker.uniqueName("group"),
                subscription: .assignAll(topics: [topic], start: .beginning), logger: KafkaTestBroker.logger
            )
            let messages = try await collect(1, from: consumer)
            await consumer.close()
            #expect(messages.first?.value.count == payload.count)
            #expect(messages.first?.value == payload)
        }
    }

    @Test("group-managed subscribe receives messages")
    func subscribe() async throws {
        try await KafkaTestBroker.with { bootstrap in
            var configuration = KafkaTestBroker.configuration(bootstrap)
            configuration.sessionTimeoutMilliseconds = 2000
            configuration.heartbeatIntervalMilliseconds = 500
            let topic = KafkaTestBroker.uniqueName("subscribe")
            try await KafkaAdmin(configuration: configuration, logger: KafkaTestBroker.logger)
                .createTopics([KafkaTopicSpecification(name: topic, partitions: 2)])
            let producer = try KafkaProducer(configuration: configuration, logger: KafkaTestBroker.logger)
            for index in 0..<5 {
                try await producer.send(KafkaRecord(topic: topic, key: "k\(index)", value: "s\(index)"))
            }
            await producer.shutdown()

            let consumer = try KafkaConsumer(
                configuration: configuration, groupID: KafkaTestBroker.uniqueName("group"),
                subscription: .subscribe(topics: [topic]), logger: KafkaTestBroker.logger
            )
            let messages = try await collect(5, from: consumer)
            await consumer.close()
            #expect(Set(messages.map(\.valueString)) == Set((0..<5).map { "s\($0)" }))
        }
    }
}
