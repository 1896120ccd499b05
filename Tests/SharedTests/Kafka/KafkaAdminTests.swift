import Shared
import Testing

@Suite("Kafka admin", .timeLimit(.minutes(1)))
struct KafkaAdminTests {
    @Test("createTopics is idempotent and partitionCount reads metadata")
    func createTopicsIsIdempotent() async throws {
        try await KafkaTestBroker.with { bootstrap in
            let admin = KafkaAdmin(configuration: KafkaTestBroker.configuration(bootstrap), logger: KafkaTestBroker.logger)
            let first = KafkaTestBroker.uniqueName("admin-a")
            let second = KafkaTestBroker.uniqueName("admin-b")
            let specifications = [
                KafkaTopicSpecification(name: first, partitions: 3),
                KafkaTopicSpecification(name: second, partitions: 1, config: ["retention.ms": "3600000"]),
            ]
            try await admin.createTopics(specifications)
            try await admin.createTopics(specifications)  // already exists: still success

            #expect(try await admin.partitionCount(of: first) == 3)
            #expect(try await admin.partitionCount(of: second) == 1)
        }
    }

    @Test("partitionCount of a missing topic throws unknownTopicOrPartition")
    func partitionCountOfMissingTopic() async throws {
        try await KafkaTestBroker.with { bootstrap in
            let admin = KafkaAdmin(configuration: KafkaTestBroker.configuration(bootstrap), logger: KafkaTestBroker.logger)
            let error = await #expect(throws: KafkaError.self) {
                _ = try await admin.partitionCount(of: KafkaTestBroker.uniqueName("missing"))
            }
            #expect(error?.code == .unknownTopicOrPartition)
        }
    }
}
