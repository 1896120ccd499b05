import Foundation
import PostgresNIO
import Shared

/// Reads a test stack's topics back from the broker, to re-deliver them as duplicates and
/// to wait until the status API has applied everything.
enum EventLog {
    /// Every event message currently on `topics`, read from the beginning (stream markers,
    /// which carry no event, are left out).
    static func read(topics: [Topic], stack: TestStack, idle: Duration = .seconds(2)) async throws -> [KafkaConsumerMessage] {
        let consumer = try KafkaConsumer(
            configuration: stack.hub.kafka, groupID: TestInfrastructure.uniqueName("reader-"),
            subscription: .assignAll(topics: topics.map(stack.hub.topic), start: .beginning), logger: stack.logger
        )
        var messages: [KafkaConsumerMessage] = []
        // The local broker cannot report high watermarks reliably, so read until it goes quiet.
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                let collected = Collected()
                group.addTask {
                    for try await message in consumer.messages { await collected.append(message) }
                }
                var lastCount = -1
                while true {
                    try await Task.sleep(for: idle)
                    let count = await collected.count
                    if count == lastCount { break }
                    lastCount = count
                }
                group.cancelAll()
                messages = await collected.messages.filter { $0.streamMarkerID == nil }
            }
        } catch is CancellationError {}
        await consumer.close()
        return messages
    }

    /// Produces every message of `topics` again, unchanged (same event ids): duplicates.
    static func redeliver(topics: [Topic], stack: TestStack) async throws -> Int {
        let messages = try await read(topics: topics, stack: stack)
        let producer = try KafkaProducer(configuration: stack.hub.kafka, logger: stack.logger)
        for message in messages {
            _ = try await producer.send(KafkaRecord(topic: message.topic, key: message.key, value: message.value, headers: message.headers))
        }
        await producer.shutdown()
        return messages.count
    }

    /// Waits until the projection's stored offsets reach the end of every partition of `topics`.
    static func waitUntilProjected(stack: TestStack, topics: [Topic]) async throws {
        let messages = try await read(topics: topics, stack: stack, idle: .seconds(1))
        var ends: [String: Int64] = [:]
        for message in messages { ends["\(message.topic)#\(message.partition)"] = max(ends["\(message.topic)#\(message.partition)"] ?? 0, message.offset + 1) }
        let client = PostgresClient(configuration: stack.database.clientConfiguration, backgroundLogger: stack.logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            let deadline = ContinuousClock.now + .seconds(30)
            while ContinuousClock.now < deadline {
                var stored: [String: Int64] = [:]
                for try await (topic, partition, offset) in try await client.query("SELECT topic, partition, next_offset FROM consumer_offsets").decode((String, Int, Int64).self) {
                    stored["\(topic)#\(partition)"] = offset
                }
                if ends.allSatisfy({ stored[$0.key, default: 0] >= $0.value }) { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            group.cancelAll()
        }
    }
}

private actor Collected {
    var messages: [KafkaConsumerMessage] = []
    var count: Int { messages.count }
    func append(_ message: KafkaConsumerMessage) { messages.append(message) }
}
