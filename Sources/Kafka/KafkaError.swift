import CRdKafka

/// An error from the Kafka client: librdkafka's error code and name, a message, whether
/// retrying the same operation can help, and where in this module it was raised.
public struct KafkaError: Error, Sendable, CustomStringConvertible {
    /// A librdkafka error code (`rd_kafka_resp_err_t`): negative values are client-side,
    /// positive ones come from the broker.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public var rawValue: Int32

        public init(rawValue: Int32) {
            self.rawValue = rawValue
        }

        init(_ error: rd_kafka_resp_err_t) {
            self.rawValue = error.rawValue
        }

        /// librdkafka's symbolic name, e.g. `_MSG_TIMED_OUT` or `TOPIC_ALREADY_EXISTS`.
        public var name: String {
            String(cString: rd_kafka_err2name(rd_kafka_resp_err_t(rawValue: rawValue)))
        }

        public var description: String { "\(name) (\(rawValue))" }

        /// The client was shut down or closed.
        public static let closed = Code(RD_KAFKA_RESP_ERR__DESTROY)
        /// The local producer queue stayed full.
        public static let queueFull = Code(RD_KAFKA_RESP_ERR__QUEUE_FULL)
        /// The message was not acknowledged within `message.timeout.ms`.
        public static let messageTimedOut = Code(RD_KAFKA_RESP_ERR__MSG_TIMED_OUT)
        /// A local operation timed out.
        public static let timedOut = Code(RD_KAFKA_RESP_ERR__TIMED_OUT)
        /// The message was purged, unsent or unacknowledged, at shutdown.
        public static let purged = Code(RD_KAFKA_RESP_ERR__PURGE_QUEUE)
        /// The broker does not know the topic or partition.
        public static let unknownTopicOrPartition = Code(RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)
        public static let topicAlreadyExists = Code(RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
        /// A property or argument was rejected.
        public static let invalidArgument = Code(RD_KAFKA_RESP_ERR__INVALID_ARG)
        public static let messageTooLarge = Code(RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE)
        /// An unrecoverable client error (see librdkafka's `rd_kafka_fatal_error`).
        public static let fatal = Code(RD_KAFKA_RESP_ERR__FATAL)
    }

    public var code: Code
    public var message: String
    /// Whether performing the same operation again may succeed (e.g. a timeout or an
    /// unavailable broker), as opposed to a permanent failure (bad config, authorization).
    public var isRetriable: Bool
    /// Whether the client instance is unusable and must be recreated.
    public var isFatal: Bool
    public var file: String
    public var line: UInt

    public init(
        code: Code,
        message: String,
        isRetriable: Bool? = nil,
        isFatal: Bool = false,
        file: String = #fileID,
        line: UInt = #line
    ) {
        self.code = code
        self.message = message
        self.isRetriable = isRetriable ?? Self.retriableCodes.contains(code)
        self.isFatal = isFatal || code == .fatal
        self.file = file
        self.line = line
    }

    init(_ error: rd_kafka_resp_err_t, _ message: String? = nil, file: String = #fileID, line: UInt = #line) {
        self.init(
            code: Code(error),
            message: message ?? String(cString: rd_kafka_err2str(error)),
            file: file,
            line: line
        )
    }

    /// Reads (does not destroy) an `rd_kafka_error_t`.
    init(rdError error: OpaquePointer, file: String = #fileID, line: UInt = #line) {
        self.init(
            code: Code(rd_kafka_error_code(error)),
            message: String(cString: rd_kafka_error_string(error)),
            isRetriable: rd_kafka_error_is_retriable(error) != 0,
            isFatal: rd_kafka_error_is_fatal(error) != 0,
            file: file,
            line: line
        )
    }

    static func closed(_ what: String, file: String = #fileID, line: UInt = #line) -> KafkaError {
        KafkaError(code: .closed, message: "\(what) is shut down", isRetriable: false, file: file, line: line)
    }

    public var description: String {
        "KafkaError(\(code)): \(message)\(isRetriable ? " [retriable]" : "")\(isFatal ? " [fatal]" : "") at \(file):\(line)"
    }

    private static let retriableCodes: Set<Code> = [
        .queueFull, .messageTimedOut, .timedOut, .unknownTopicOrPartition,
        Code(RD_KAFKA_RESP_ERR__TRANSPORT),
        Code(RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN),
        Code(RD_KAFKA_RESP_ERR__RESOLVE),
        Code(RD_KAFKA_RESP_ERR__TIMED_OUT_QUEUE),
        Code(RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION),
        Code(RD_KAFKA_RESP_ERR__WAIT_COORD),
        Code(RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE),
        Code(RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION),
        Code(RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT),
        Code(RD_KAFKA_RESP_ERR_NETWORK_EXCEPTION),
        Code(RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS),
        Code(RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND),
        Code(RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS),
        Code(RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE),
        Code(RD_KAFKA_RESP_ERR_NOT_COORDINATOR),
        Code(RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS),
        Code(RD_KAFKA_RESP_ERR_KAFKA_STORAGE_ERROR),
    ]
}
