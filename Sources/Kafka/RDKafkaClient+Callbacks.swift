import CRdKafka
import Logging

/// librdkafka's log lines, forwarded to the client's `Logger` (called on librdkafka's threads).
let rdKafkaLogCallback: @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafePointer<CChar>?) -> Void = {
    handle, level, facility, text in
    guard let context = RDKafkaClientContext.from(handle) else { return }
    let logLevel: Logger.Level =
        switch level {
        case ...2: .critical
        case 3: .error
        case 4: .warning
        case 5: .notice
        case 6: .info
        default: .debug
        }
    context.logger.log(
        level: logLevel,
        "\(text.map { String(cString: $0) } ?? "")",
        metadata: ["kafka.facility": "\(facility.map { String(cString: $0) } ?? "")"]
    )
}

/// Client-level errors (broker down, fatal idempotence errors), served by poll calls.
let rdKafkaErrorCallback: @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafeMutableRawPointer?) -> Void = {
    handle, code, reason, _ in
    guard let context = RDKafkaClientContext.from(handle) else { return }
    let error = rd_kafka_resp_err_t(rawValue: code)
    let level: Logger.Level =
        switch error {
        case RD_KAFKA_RESP_ERR__FATAL: .critical
        case RD_KAFKA_RESP_ERR__TRANSPORT: .debug  // librdkafka's own log line already reports it
        default: .warning
        }
    context.logger.log(
        level: level,
        "Kafka client error: \(reason.map { String(cString: $0) } ?? "")",
        metadata: ["kafka.error": "\(String(cString: rd_kafka_err2name(error)))"]
    )
}

/// A producer's delivery report: completes the matching `send` (called from the poll queue).
let rdKafkaDeliveryReportCallback: @convention(c) (OpaquePointer?, UnsafePointer<rd_kafka_message_t>?, UnsafeMutableRawPointer?) -> Void = {
    handle, message, _ in
    guard let context = RDKafkaClientContext.from(handle), let message else { return }
    let id = UInt(bitPattern: message.pointee._private)
    let result: Result<(partition: Int32, offset: Int64), any Error>
    if message.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR {
        result = .success((message.pointee.partition, message.pointee.offset))
    } else {
        // Not rd_kafka_message_errstr: for a delivery report it returns the record's payload,
        // which is not NUL-terminated.
        result = .failure(KafkaError(message.pointee.err))
    }
    context.deliveries.complete(id, with: result)
}
