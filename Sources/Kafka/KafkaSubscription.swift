/// What a ``KafkaConsumer`` reads.
public enum KafkaSubscription: Sendable {
    /// Fetch metadata and assign every partition of each topic (no group membership; the
    /// group id is only used for committed offsets). Waits briefly for missing topics.
    case assignAll(topics: [String], start: KafkaStartOffset)
    /// Explicit partitions and offsets, e.g. positions read back from PostgreSQL.
    case assign([KafkaTopicPartitionOffset])
    /// Group-managed: the group coordinator balances partitions across members.
    case subscribe(topics: [String])
}

/// Where an ``KafkaSubscription/assignAll(topics:start:)`` consumer starts.
public enum KafkaStartOffset: Sendable {
    /// The offset committed for the group, else the earliest record.
    case stored
    /// The earliest record, ignoring committed offsets.
    case beginning

    var logicalOffset: Int64 {
        switch self {
        case .stored: KafkaTopicPartitionOffset.stored
        case .beginning: KafkaTopicPartitionOffset.beginning
        }
    }
}
