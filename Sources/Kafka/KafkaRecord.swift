/// An outgoing record for ``KafkaProducer/send(_:)``.
public struct KafkaRecord: Sendable {
    public var topic: String
    /// Partitioning key; records with the same key go to the same partition, in order.
    public var key: [UInt8]?
    public var value: [UInt8]
    public var headers: [KafkaHeader]
    /// An explicit partition, overriding the key's (e.g. a marker written to every partition).
    public var partition: Int32?

    public init(topic: String, key: [UInt8]? = nil, value: [UInt8], headers: [KafkaHeader] = [], partition: Int32? = nil) {
        self.topic = topic
        self.partition = partition
        self.key = key
        self.value = value
        self.headers = headers
    }
}
