import Foundation

/// A record received by a ``KafkaConsumer``. Every byte is copied out of librdkafka's
/// message before that message is destroyed, so the value is independent of the client.
public struct KafkaConsumerMessage: Sendable, Hashable {
    public var topic: String
    public var partition: Int32
    public var offset: Int64
    public var key: [UInt8]?
    /// The payload; a null payload (tombstone) reads as empty.
    public var value: [UInt8]
    public var headers: [KafkaHeader]
    /// Create or log-append time set by the producer or broker, if the broker reported one.
    public var timestamp: Date?

    public init(
        topic: String,
        partition: Int32,
        offset: Int64,
        key: [UInt8]? = nil,
        value: [UInt8],
        headers: [KafkaHeader] = [],
        timestamp: Date? = nil
    ) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.key = key
        self.value = value
        self.headers = headers
        self.timestamp = timestamp
    }

    /// The first value of the header named `key`, if any.
    public func header(_ key: String) -> [UInt8]? {
        headers.first { $0.key == key }?.value
    }
}
