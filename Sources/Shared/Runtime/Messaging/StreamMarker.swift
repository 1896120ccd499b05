import Foundation

/// A record a reader writes into a partition to learn where "now" ends: it reads until its
/// own marker comes back. The local broker reports wrong high watermarks, while the offset in
/// a delivery report is exact on any Kafka. Markers carry no event; every reader skips them.
public enum StreamMarker {
    /// The header that makes a record a marker; its value names the marker.
    public static let header = "flotilla-stream-marker"

    public static func record(topic: String, partition: Int32, id: String) -> KafkaRecord {
        KafkaRecord(topic: topic, value: [], headers: [KafkaHeader(key: header, value: Array(id.utf8))], partition: partition)
    }
}

extension KafkaConsumerMessage {
    /// The marker's name when this record is a ``StreamMarker``, else nil.
    public var streamMarkerID: String? {
        headers.first { $0.key == StreamMarker.header }.map { String(decoding: $0.value, as: UTF8.self) }
    }
}
