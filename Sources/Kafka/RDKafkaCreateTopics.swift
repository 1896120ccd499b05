import CRdKafka
import Logging

/// One CreateTopics admin request, every C object it makes destroyed before returning.
enum RDKafkaCreateTopics {
    static func run(_ topics: [KafkaTopicSpecification], on handle: OpaquePointer, timeout: Duration, logger: Logger) throws {
        let timeoutMilliseconds = Int32(clamping: timeout.components.seconds * 1000)
        var errstr = [CChar](repeating: 0, count: 512)

        var newTopics: [OpaquePointer?] = []
        defer { newTopics.forEach { rd_kafka_NewTopic_destroy($0) } }
        for topic in topics {
            guard
                let newTopic = rd_kafka_NewTopic_new(
                    topic.name, Int32(clamping: topic.partitions), Int32(clamping: topic.replicationFactor), &errstr, errstr.count)
            else {
                throw KafkaError(code: .invalidArgument, message: "topic \(topic.name): \(string(from: errstr))")
            }
            newTopics.append(newTopic)
            for (key, value) in topic.config.sorted(by: { $0.key < $1.key }) {
                let error = rd_kafka_NewTopic_set_config(newTopic, key, value)
                guard error == RD_KAFKA_RESP_ERR_NO_ERROR else {
                    throw KafkaError(error, "topic \(topic.name) config \(key): \(String(cString: rd_kafka_err2str(error)))")
                }
            }
        }

        let options = rd_kafka_AdminOptions_new(handle, RD_KAFKA_ADMIN_OP_CREATETOPICS)
        defer { rd_kafka_AdminOptions_destroy(options) }
        _ = rd_kafka_AdminOptions_set_request_timeout(options, timeoutMilliseconds, &errstr, errstr.count)
        _ = rd_kafka_AdminOptions_set_operation_timeout(options, timeoutMilliseconds, &errstr, errstr.count)

        let resultQueue = rd_kafka_queue_new(handle)
        defer { rd_kafka_queue_destroy(resultQueue) }
        newTopics.withUnsafeMutableBufferPointer { buffer in
            rd_kafka_CreateTopics(handle, buffer.baseAddress, buffer.count, options, resultQueue)
        }

        guard let event = rd_kafka_queue_poll(resultQueue, timeoutMilliseconds + 5000) else {
            throw KafkaError(code: .timedOut, message: "CreateTopics got no answer", isRetriable: true)
        }
        defer { rd_kafka_event_destroy(event) }
        let eventError = rd_kafka_event_error(event)
        guard eventError == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(eventError, "CreateTopics: \(String(cString: rd_kafka_event_error_string(event)))")
        }
        guard let result = rd_kafka_event_CreateTopics_result(event) else {
            throw KafkaError(code: .invalidArgument, message: "CreateTopics: unexpected event type")
        }
        var count = 0
        guard let results = rd_kafka_CreateTopics_result_topics(result, &count) else { return }
        for index in 0..<count {
            let topicResult = results[index]
            let name = String(cString: rd_kafka_topic_result_name(topicResult))
            let error = rd_kafka_topic_result_error(topicResult)
            switch error {
            case RD_KAFKA_RESP_ERR_NO_ERROR:
                logger.info("Kafka topic created", metadata: ["kafka.topic": "\(name)"])
            case RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS:
                logger.debug("Kafka topic already exists", metadata: ["kafka.topic": "\(name)"])
            default:
                let message = rd_kafka_topic_result_error_string(topicResult).map { String(cString: $0) } ?? ""
                throw KafkaError(error, "create topic \(name): \(message)")
            }
        }
    }
}
