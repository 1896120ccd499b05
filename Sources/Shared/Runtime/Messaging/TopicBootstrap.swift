import Logging

/// Creates every Flotilla topic with its partition count (explicitly: nothing is auto-created),
/// then checks that each has exactly that count. Idempotent, so every service runs it at start.
public enum TopicBootstrap {
    public static func ensureTopics(admin: KafkaAdmin, prefix: String) async throws {
        try await admin.createTopics(Topic.allCases.map {
            KafkaTopicSpecification(name: $0.name(prefix: prefix), partitions: $0.partitions)
        })
        try await checkPartitions(admin: admin, prefix: prefix)
    }

    /// For processes that do not own the topics (collaborators on managed clusters): waits
    /// until the hub has created every topic, saying so while it waits, then checks the counts.
    public static func waitForTopics(admin: KafkaAdmin, prefix: String, logger: Logger, every interval: Duration = .seconds(2)) async throws {
        var waited = false
        while true {
            do {
                try await checkPartitions(admin: admin, prefix: prefix)
                if waited { logger.info("the hub's topics exist now") }
                return
            } catch let error as KafkaError where error.code == .unknownTopicOrPartition {
                if !waited { logger.warning("waiting for the hub to create Flotilla's topics", metadata: ["error": "\(error.message)"]) }
                waited = true
                try await Task.sleep(for: interval)
            }
        }
    }

    /// Keys decide partitions, and every service assumes the same layout: a topic created by
    /// someone else with another count would scatter an entity's events, so it stops the start.
    public static func checkPartitions(admin: KafkaAdmin, prefix: String) async throws {
        var wrong: [TopicLayoutError.Mismatch] = []
        for topic in Topic.allCases {
            let name = topic.name(prefix: prefix)
            let count = try await admin.partitionCount(of: name)
            if count != topic.partitions { wrong.append(.init(topic: name, expected: topic.partitions, found: count)) }
        }
        if !wrong.isEmpty { throw TopicLayoutError(mismatches: wrong) }
    }
}

/// Topics that exist with a partition count other than Flotilla's.
public struct TopicLayoutError: Error, Sendable, CustomStringConvertible {
    public struct Mismatch: Sendable, Hashable {
        public var topic: String
        public var expected: Int
        public var found: Int
    }

    public var mismatches: [Mismatch]

    public var description: String {
        let list = mismatches.map { "\($0.topic) has \($0.found) partitions, expected \($0.expected)" }.joined(separator: "; ")
        return "Kafka topics with the wrong partition count (created by something other than Flotilla; recreate them): \(list)"
    }
}
