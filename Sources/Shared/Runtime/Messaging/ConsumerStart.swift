/// Where a service's consumer begins reading its topics (see ``EventSource``).
public enum ConsumerStart: Sendable {
    /// The group's committed offsets; a partition without one starts at its first record.
    case committed
    /// Every partition from its first record, ignoring committed offsets.
    case beginning
    /// Explicit next offsets by topic name and partition, e.g. positions a service keeps in its
    /// own database; a partition not listed starts at its first record.
    case offsets([String: [Int32: Int64]])
    /// Rebuild state from the log first: `rebuild` reads the topics it needs with the given
    /// ``TopicReplay`` (publishing nothing while it reads), does whatever is left to do, and
    /// returns where each partition's live consumption continues (just past the replay's
    /// markers, so nothing is both replayed and consumed live). A partition of a live topic
    /// that the replay did not read resumes from the group's committed offsets.
    case replay(@Sendable (TopicReplay) async throws -> [KafkaTopicPartitionOffset])

    /// The common case of ``replay(_:)``: every event of `topics` up to now goes to `rebuild`,
    /// then `finish` runs once (e.g. to publish what differs from the last logged facts), and
    /// live consumption continues past the markers.
    public static func replaying(
        _ topics: [Topic], skipChunked: Bool = false,
        into rebuild: @escaping @Sendable (ConsumedEvent) async throws -> Void,
        then finish: @escaping @Sendable () async throws -> Void = {}
    ) -> ConsumerStart {
        .replay { replay in
            let positions = try await replay.replay(topics, skipChunked: skipChunked) { try await rebuild($0) }
            try await finish()
            return positions
        }
    }
}
