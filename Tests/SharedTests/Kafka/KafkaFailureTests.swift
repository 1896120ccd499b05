import Foundation
import Shared
import Testing

@Suite("Kafka failures and shutdown", .timeLimit(.minutes(1)))
struct KafkaFailureTests {
    @Test("sending to a broker that is down fails with a KafkaError in bounded time")
    func brokerDown() async throws {
        let port = try TansuProcess.freePort()  // nothing listens there
        let configuration = KafkaTestBroker.configuration("127.0.0.1:\(port)", ["message.timeout.ms": "2000"])
        let producer = try KafkaProducer(configuration: configuration, logger: KafkaTestBroker.logger)
        let clock = ContinuousClock()
        let start = clock.now
        let error = await #expect(throws: KafkaError.self) {
            try await producer.send(KafkaRecord(topic: "nowhere", value: "lost"))
        }
        #expect(error?.code == .messageTimedOut)
        #expect(error?.isRetriable == true)
        #expect(clock.now - start < .seconds(10))
        await producer.shutdown()
    }

    @Test("shutdown with sends pending on a down broker purges them and returns")
    func shutdownPurgesPendingSends() async throws {
        let port = try TansuProcess.freePort()
        var configuration = KafkaTestBroker.configuration("127.0.0.1:\(port)")
        configuration.shutdownFlushTimeoutMilliseconds = 300
        let producer = try KafkaProducer(configuration: configuration, logger: KafkaTestBroker.logger)
        try await withThrowingTaskGroup(of: KafkaError?.self) { group in
            for index in 0..<20 {
                group.addTask {
                    do {
                        try await producer.send(KafkaRecord(topic: "nowhere", value: "pending-\(index)"))
                        return nil
                    } catch let error as KafkaError {
                        return error
                    }
                }
            }
            try await Task.sleep(for: .milliseconds(200))
            await producer.shutdown()
            var failures = 0
            for try await error in group where error != nil {
                failures += 1
            }
            #expect(failures == 20)
        }
        let error = await #expect(throws: KafkaError.self) {
            try await producer.send(KafkaRecord(topic: "nowhere", value: "after shutdown"))
        }
        #expect(error?.code == .closed)
    }

    @Test("shutdown waits for in-flight sends, which all succeed")
    func shutdownFlushesInFlightSends() async throws {
        try await KafkaTestBroker.with { bootstrap in
            let configuration = KafkaTestBroker.configuration(bootstrap)
            let topic = KafkaTestBroker.uniqueName("flush")
            try await KafkaAdmin(configuration: configuration, logger: KafkaTestBroker.logger)
                .createTopics([KafkaTopicSpecification(name: topic, partitions: 1)])
            let producer = try KafkaProducer(configuration: configuration, logger: KafkaTestBroker.logger)
            let offsets = try await withThrowingTaskGroup(of: Int64.self) { group in
                for index in 0..<200 {
                    group.addTask { try await producer.send(KafkaRecord(topic: topic, value: "f\(index)")).offset }
                }
                var offsets: [Int64] = []
                for try await offset in group { offsets.append(offset) }
                return offsets
            }
            await producer.shutdown()
            #expect(Set(offsets) == Set(0..<200))
        }
    }

    @Test("closing a consumer with many messages still buffered does not hang")
    func closeWithBufferedMessages() async throws {
        try await KafkaTestBroker.with { bootstrap in
            let configuration = KafkaTestBroker.configuration(bootstrap)
            let topic = KafkaTestBroker.uniqueName("buffered")
            try await KafkaAdmin(configuration: configuration, logger: KafkaTestBroker.logger)
                .createTopics([KafkaTopicSpecification(name: topic, partitions: 2)])
            let producer = try KafkaProducer(configuration: configuration, logger: KafkaTestBroker.logger)
            let payload = [UInt8](repeating: 7, count: 10_000)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<500 {
                    group.addTask { try await producer.send(KafkaRecord(topic: topic, key: Array("\(index)".utf8), value: payload)) }
                }
                try await group.waitForAll()
            }
            await producer.shutdown()

            let consumer = try KafkaConsumer(
                configuration: configuration, groupID: KafkaTestBroker.uniqueName("group"),
                subscription: .assignAll(topics: [topic], start: .beginning), logger: KafkaTestBroker.logger
            )
            let first = try await collect(3, from: consumer)
            #expect(first.count == 3)
            try await Task.sleep(for: .milliseconds(300))  // let librdkafka prefetch the rest
            let clock = ContinuousClock()
            let start = clock.now
            await consumer.close()
            #expect(clock.now - start < .seconds(10))
        }
    }

    @Test("a consumer closes in bounded time after its broker went away")
    func closeAfterBrokerDown() async throws {
        try await KafkaTestBroker.withPrivate { broker in
            let configuration = KafkaTestBroker.configuration(broker.bootstrap)
            let topic = KafkaTestBroker.uniqueName("gone")
            try await KafkaAdmin(configuration: configuration, logger: KafkaTestBroker.logger)
                .createTopics([KafkaTopicSpecification(name: topic, partitions: 1)])
            let producer = try KafkaProducer(configuration: configuration, logger: KafkaTestBroker.logger)
            for index in 0..<3 {
                try await producer.send(KafkaRecord(topic: topic, value: "g\(index)"))
            }
            await producer.shutdown()
            let consumer = try KafkaConsumer(
                configuration: configuration, groupID: KafkaTestBroker.uniqueName("group"),
                subscription: .assignAll(topics: [topic], start: .stored), logger: KafkaTestBroker.logger
            )
            for message in try await collect(2, from: consumer) {
                try consumer.storeOffset(for: message)
            }
            await broker.stop()
            let clock = ContinuousClock()
            let start = clock.now
            await consumer.close()
            #expect(clock.now - start < .seconds(15))
        }
    }

    @Test("a cancelled iteration ends, and run() closes the consumer on cancellation")
    func cancellationEndsIterationAndRun() async throws {
        try await KafkaTestBroker.with { bootstrap in
            let configuration = KafkaTestBroker.configuration(bootstrap)
            let topic = KafkaTestBroker.uniqueName("cancel")
            try await KafkaAdmin(configuration: configuration, logger: KafkaTestBroker.logger)
                .createTopics([KafkaTopicSpecification(name: topic, partitions: 1)])
            let consumer = try KafkaConsumer(
                configuration: configuration, groupID: KafkaTestBroker.uniqueName("group"),
                subscription: .assignAll(topics: [topic], start: .beginning), logger: KafkaTestBroker.logger
            )
            // Nothing to read: next() keeps polling until the task is cancelled.
            let reader = Task {
                var iterator = consumer.messages.makeAsyncIterator()
                return try await iterator.next()
            }
            try await Task.sleep(for: .milliseconds(300))
            reader.cancel()
            #expect(try await reader.value == nil)

            let service = Task { try await consumer.run() }
            try await Task.sleep(for: .milliseconds(100))
            service.cancel()
            try await service.value
            let error = #expect(throws: KafkaError.self) {
                try consumer.storeOffset(for: KafkaConsumerMessage(topic: topic, partition: 0, offset: 0, value: []))
            }
            #expect(error?.code == .closed)
        }
    }

    @Test("a subscription to a topic that never appears fails the message sequence")
    func missingTopicFailsAssignAll() async throws {
        try await KafkaTestBroker.with { bootstrap in
            let consumer = try KafkaConsumer(
                configuration: KafkaTestBroker.configuration(bootstrap), groupID: KafkaTestBroker.uniqueName("group"),
                subscription: .assignAll(topics: [KafkaTestBroker.uniqueName("never")], start: .beginning),
                logger: KafkaTestBroker.logger
            )
            let error = await #expect(throws: KafkaError.self) {
                for try await _ in consumer.messages {}
            }
            #expect(error?.code == .unknownTopicOrPartition)
            await consumer.close()
        }
    }

    @Test("an invalid property is rejected at init")
    func invalidProperty() throws {
        let configuration = KafkaTestBroker.configuration("127.0.0.1:1", ["no.such.property": "1"])
        let error = #expect(throws: KafkaError.self) {
            _ = try KafkaProducer(configuration: configuration, logger: KafkaTestBroker.logger)
        }
        #expect(error?.code == .invalidArgument)
    }
}
