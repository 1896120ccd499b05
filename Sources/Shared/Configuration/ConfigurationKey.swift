/// Every environment variable Flotilla reads, defined once with its default and meaning.
/// `flotilla config` prints this table; the README documents it.
public enum ConfigurationKey: String, CaseIterable, Sendable {
    case kafkaBootstrap = "FLOTILLA_KAFKA_BOOTSTRAP"
    case kafkaProperties = "FLOTILLA_KAFKA_PROPERTIES"
    case kafkaFetchWaitMilliseconds = "FLOTILLA_KAFKA_FETCH_WAIT_MS"
    case kafkaSessionTimeoutMilliseconds = "FLOTILLA_KAFKA_SESSION_TIMEOUT_MS"
    case topicPrefix = "FLOTILLA_TOPIC_PREFIX"
    case modelChunkBytes = "FLOTILLA_MODEL_CHUNK_BYTES"
    case databaseURL = "FLOTILLA_DATABASE_URL"
    case httpHost = "FLOTILLA_HTTP_HOST"
    case httpPort = "FLOTILLA_HTTP_PORT"
    case modelRoot = "FLOTILLA_MODEL_ROOT"
    case dataRoot = "FLOTILLA_DATA_ROOT"
    case clusterName = "FLOTILLA_CLUSTER_NAME"
    case clusterLabels = "FLOTILLA_CLUSTER_LABELS"
    case clusterClaims = "FLOTILLA_CLUSTER_CLAIMS"
    case clusterCPU = "FLOTILLA_CLUSTER_CPU"
    case clusterMemory = "FLOTILLA_CLUSTER_MEMORY"
    case heartbeatSeconds = "FLOTILLA_HEARTBEAT_SECONDS"
    case leaseSeconds = "FLOTILLA_LEASE_SECONDS"
    case leaseCheckSeconds = "FLOTILLA_LEASE_CHECK_SECONDS"
    case logLevel = "FLOTILLA_LOG_LEVEL"
    case statusURL = "FLOTILLA_STATUS_URL"

    public var defaultValue: String? {
        switch self {
        case .kafkaBootstrap: "127.0.0.1:9092"
        case .kafkaProperties: ""
        case .kafkaFetchWaitMilliseconds: "20"
        case .kafkaSessionTimeoutMilliseconds: "6000"
        case .topicPrefix: ""
        case .modelChunkBytes: "921600"
        case .databaseURL: "postgres://flotilla@127.0.0.1:5432/flotilla"
        case .httpHost: "127.0.0.1"
        case .httpPort: "8080"
        case .modelRoot: "/"
        case .dataRoot: "/"
        case .clusterName: nil
        case .clusterLabels, .clusterClaims: ""
        case .clusterCPU: "4"
        case .clusterMemory: "8Gi"
        case .heartbeatSeconds: "5"
        case .leaseSeconds: "20"
        case .leaseCheckSeconds: "1"
        case .logLevel: "info"
        case .statusURL: "http://127.0.0.1:8080"
        }
    }

    public var summary: String {
        switch self {
        case .kafkaBootstrap: "Kafka bootstrap servers, host:port[,host:port]"
        case .kafkaProperties: "extra librdkafka properties, k=v[,k=v] (TLS, SASL, tuning)"
        case .kafkaFetchWaitMilliseconds: "consumer fetch.wait.max.ms: end-to-end latency of control events"
        case .kafkaSessionTimeoutMilliseconds: "consumer group session timeout"
        case .topicPrefix: "namespace prefix for every topic, so stacks can share a broker"
        case .modelChunkBytes: "models larger than this travel as several Kafka messages, reassembled and checked by sha256"
        case .databaseURL: "PostgreSQL URL of the status API's projections"
        case .httpHost: "address the status API listens on"
        case .httpPort: "port the status API listens on"
        case .modelRoot: "where job storage paths are rooted on the aggregator (a PVC mounts at /)"
        case .dataRoot: "where claimed data paths are rooted on a collaborator"
        case .clusterName: "collaborator: this managed cluster's name (required)"
        case .clusterLabels: "collaborator: labels, k=v[,k=v]"
        case .clusterClaims: "collaborator: cluster claims, name=value[,name=value]"
        case .clusterCPU: "collaborator: allocatable CPU cores (may be fractional)"
        case .clusterMemory: "collaborator: allocatable memory (Ki, Mi, Gi suffixes)"
        case .heartbeatSeconds: "collaborator: lease renewal interval"
        case .leaseSeconds: "registry: a cluster whose lease is not renewed for this long is tainted unavailable"
        case .leaseCheckSeconds: "registry: how often leases are checked"
        case .logLevel: "trace, debug, info, notice, warning, error or critical"
        case .statusURL: "CLI: base URL of the status API"
        }
    }
}
