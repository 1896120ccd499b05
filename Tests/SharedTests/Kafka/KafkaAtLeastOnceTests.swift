import Shared
import Testing

@Suite("Kafka at-least-once offsets", .timeLimit(.minutes(1)))
struct KafkaAtLeastOnceTests {
    /// Produces `count` messages "m0"... to a new one-partition topic.
    private func makeTopic(_ configuration: KafkaConfiguration, count: Int) async throws -> String {
        let topic = KafkaTestBroker.uniqueName("alo")
        try await KafkaAdmin(configuration: configuration, logger: KafkaTestBroker.logger)
            .createTopics([KafkaTopicSpecification(name: topic, partitions: 1)])
        let producer = try KafkaProducer(configuration: configuration, logger: KafkaTestBroker.logger)
        for index in 0..<count {
            try await producer.send(KafkaRecord(topic: topic, value: "m\(index)"))
        }
        await producer.shutdown()
        return topic
    }

    private func storedConsumer(_ configuration: KafkaConfiguration, group: String, topic: String) throws -> KafkaConsumer {
        try KafkaConsumer(
            configuration: configuration, groupID: group,
            subscription: .assignAll(topics: [topic], start: .stored), logger: KafkaTestBroker.logger
        )
    }

    @Test("a reopened consumer resumes right after the last stored offset")
    func resumesAfterStoredOffset() async throws {
        try await KafkaTestBroker.with { bootstrap in
            let configuration = KafkaTestBroker.configuration(bootstrap)
            let topic = try await makeTopic(configuration, count: 10)
            let group = KafkaTestBroker.uniqueName("group")

            // First run: receives 6, but only 4 handlers succeed.
            let first = try storedConsumer(configuration, group: group, topic: topic)
            let received = try await collect(6, from: first)
            #expect(received.map(\.offset) == Array(0..<6))
            for message in received.prefix(4) {
                try first.storeOffset(for: message)
            }
            try await first.commit()
            await first.close()

            // Second run: m4 and m5 come again, m0-m3 do not.
            let second = try storedConsumer(configuration, group: group, topic: topic)
            let resumed = try await collect(6, from: second)
            await second.close()
            #expect(resumed.map(\.offset) == Array(4..<10))
            #expect(resumed.map(\.valueString) == (4..<10).map { "m\($0)" })
        }
    }

    @Test("close commits stored offsets without an explicit commit")
    func closeCommitsStoredOffsets() async throws {
        try await KafkaTestBroker.with { bootstrap in
            var configuration = KafkaTestBroker.configuration(bootstrap)
            configuration.autoCommitIntervalMilliseconds = 60_000  // only the close can commit
            let topic = try await makeTopic(configuration, count: 5)
            let group = KafkaTestBroker.uniqueName("group")

            let first = try storedConsumer(configuration, group: group, topic: topic)
            let received = try await collect(3, from: first)
            for message in received {
                try first.storeOffset(for: message)
            }
            await first.close()

            let second = try storedConsumer(configuration, group: group, topic: topic)
            let resumed = try await collect(2, from: second)
            await second.close()
            #expect(resumed.map(\.offset) == [3, 4])
        }
    }

    @Test("storing or committing after close throws closed")
    func operationsAfterClose() async throws {
        try await KafkaTestBroker.with { bootstrap in
            let configuration = KafkaTestBroker.configuration(bootstrap)
            let topic = try await makeTopic(configuration, count: 1)
            let consumer = try storedConsumer(configuration, group: KafkaTestBroker.uniqueName("group"), topic: topic)
            let message = try #require(try await collect(1, from: consumer).first)
            await consumer.close()
            await consumer.close()  // idempotent

            let storeError = #expect(throws: KafkaError.self) { try consumer.storeOffset(for: message) }
            #expect(storeError?.code == .closed)
            let commitError = await #expect(throws: KafkaError.self) { try await consumer.commit() }
            #expect(commitError?.code == .closed)
            var iterator = consumer.messages.makeAsyncIterator()
            #expect(try await iterator.next() == nil)
        }
    }
}
