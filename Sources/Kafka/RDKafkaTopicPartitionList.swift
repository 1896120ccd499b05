import CRdKafka

/// Scoped `rd_kafka_topic_partition_list_t`: built from Swift values, destroyed when the
/// body returns. (A leaked list makes `rd_kafka_destroy` hang, so none outlives its scope.)
enum RDKafkaTopicPartitionList {
    static func with<T>(
        _ entries: [KafkaTopicPartitionOffset],
        _ body: (UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) throws -> T
    ) throws -> T {
        guard let list = rd_kafka_topic_partition_list_new(Int32(clamping: entries.count)) else {
            throw KafkaError(code: .invalidArgument, message: "rd_kafka_topic_partition_list_new failed")
        }
        defer { rd_kafka_topic_partition_list_destroy(list) }
        for entry in entries {
            let element = rd_kafka_topic_partition_list_add(list, entry.topic, entry.partition)
            element?.pointee.offset = entry.offset
        }
        return try body(list)
    }

    /// The first per-partition error in a list that librdkafka filled in, if any.
    static func firstError(in list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) -> KafkaError? {
        for index in 0..<Int(list.pointee.cnt) {
            let element = list.pointee.elems[index]
            if element.err != RD_KAFKA_RESP_ERR_NO_ERROR {
                let topic = String(cString: element.topic)
                return KafkaError(
                    element.err,
                    "\(topic)[\(element.partition)]: \(String(cString: rd_kafka_err2str(element.err)))"
                )
            }
        }
        return nil
    }
}
