/// Creates every Flotilla topic with its partition count (explicitly: no auto-creation).
/// Idempotent, so every service runs it at start-up.
public enum TopicBootstrap {
    public static func ensureTopics(admin: KafkaAdmin, prefix: String) async throws {
        try await admin.createTopics(Topic.allCases.map {
            KafkaTopicSpecification(name: $0.name(prefix: prefix), partitions: $0.partitions)
        })
    }
}
