import CRdKafka
import Foundation

extension RDKafkaClient {
    /// The partition ids of `topic` from broker metadata. Blocking: call it on the owner's queue.
    ///
    /// - Parameter waitForTopic: how long to keep asking while the topic is unknown or the
    ///   broker unreachable (0: ask once).
    func partitions(of topic: String, waitForTopic: Duration, requestTimeoutMilliseconds: Int32 = 5000) throws -> [Int32] {
        let deadline = ContinuousClock.now + waitForTopic
        while true {
            do {
                return try partitionsOnce(of: topic, requestTimeoutMilliseconds: requestTimeoutMilliseconds)
            } catch let error as KafkaError where error.isRetriable && ContinuousClock.now < deadline {
                Thread.sleep(forTimeInterval: 0.1)
            }
        }
    }

    private func partitionsOnce(of topic: String, requestTimeoutMilliseconds: Int32) throws -> [Int32] {
        guard let topicHandle = rd_kafka_topic_new(handle, topic, nil) else {
            throw KafkaError(rd_kafka_last_error(), "rd_kafka_topic_new(\(topic))")
        }
        defer { rd_kafka_topic_destroy(topicHandle) }
        var metadata: UnsafePointer<rd_kafka_metadata_t>?
        let error = rd_kafka_metadata(handle, 0, topicHandle, &metadata, requestTimeoutMilliseconds)
        defer { if let metadata { rd_kafka_metadata_destroy(metadata) } }
        guard error == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else {
            throw KafkaError(error, "metadata for \(topic): \(String(cString: rd_kafka_err2str(error)))")
        }
        for index in 0..<Int(metadata.pointee.topic_cnt) {
            let entry = metadata.pointee.topics[index]
            guard String(cString: entry.topic) == topic else { continue }
            if entry.err != RD_KAFKA_RESP_ERR_NO_ERROR {
                throw KafkaError(entry.err, "metadata for \(topic): \(String(cString: rd_kafka_err2str(entry.err)))")
            }
            guard entry.partition_cnt > 0 else { break }
            return (0..<Int(entry.partition_cnt)).map { entry.partitions[$0].id }
        }
        throw KafkaError(code: .unknownTopicOrPartition, message: "topic \(topic) has no partitions in metadata")
    }
}

extension RDKafkaClient {
    /// The cluster id the broker reports, or nil if it reports none in time. Blocking: call it
    /// on the owner's queue.
    func clusterID(timeoutMilliseconds: Int32 = 5000) -> String? {
        guard let id = rd_kafka_clusterid(handle, timeoutMilliseconds) else { return nil }
        defer { rd_kafka_mem_free(handle, id) }
        return String(cString: id)
    }
}
