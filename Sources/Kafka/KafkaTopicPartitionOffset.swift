/// A partition of a topic and the offset of the next record to read from it.
public struct KafkaTopicPartitionOffset: Sendable, Hashable {
    /// librdkafka's logical offset: the partition's earliest available record.
    public static let beginning: Int64 = -2
    /// librdkafka's logical offset: the group's committed offset, else `auto.offset.reset` (earliest).
    public static let stored: Int64 = -1000

    public var topic: String
    public var partition: Int32
    /// Next offset to read (a stored consumer position is "last handled + 1"), or one of the
    /// logical offsets ``beginning`` and ``stored``.
    public var offset: Int64

    public init(topic: String, partition: Int32, offset: Int64) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
    }
}
