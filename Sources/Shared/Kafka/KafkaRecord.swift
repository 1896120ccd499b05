/// An outgoing record for ``KafkaProducer/send(_:)``.
public struct KafkaRecord: Sendable {
    public var topic: String
    /// Partitioning key; records with the same key go to the same partition, in order.
    public var key: [UInt8]?
    public var value: [UInt8]
    public var headers: [KafkaHeader]

    public init(topic: String, key: [UInt8]? = nil, value: [UInt8], headers: [KafkaHeader] = []) {
        self.topic = topic
        self.key = key
        self.value = value
        self.headers = headers
    }
}
