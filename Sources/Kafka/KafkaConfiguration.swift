/// Connection and tuning settings shared by ``KafkaProducer``, ``KafkaConsumer`` and ``KafkaAdmin``.
///
/// Filled by the service's configuration layer; this type never reads the environment.
/// Typed fields become librdkafka properties; ``extraProperties`` is applied last and so
/// overrides them (use it for `security.protocol`, `ssl.*`, `sasl.*` and other raw settings).
public struct KafkaConfiguration: Sendable {
    /// Compression codec for produced batches (`compression.type`).
    public enum Compression: String, Sendable, CaseIterable {
        case none, gzip, snappy, lz4, zstd
    }

    /// Comma-separated `host:port` list (`bootstrap.servers`).
    public var bootstrapServers: String
    /// Client id reported to the broker (`client.id`).
    public var clientID: String
    /// How long the broker may hold a fetch waiting for data (`fetch.wait.max.ms`).
    /// It bounds end-to-end latency on a quiet topic; keep it small for control traffic.
    public var fetchWaitMaxMilliseconds: Int
    /// Consumer-group session timeout (`session.timeout.ms`). tansu holds a JoinGroup for half of it.
    public var sessionTimeoutMilliseconds: Int
    /// Consumer-group heartbeat interval (`heartbeat.interval.ms`).
    public var heartbeatIntervalMilliseconds: Int
    /// Largest message produced or fetched: producer `message.max.bytes`, consumer
    /// `fetch.max.bytes` and `max.partition.fetch.bytes`.
    public var messageMaxBytes: Int
    /// Interval at which stored offsets are committed (`auto.commit.interval.ms`).
    public var autoCommitIntervalMilliseconds: Int
    /// Producer batching delay (`linger.ms`).
    public var lingerMilliseconds: Int
    /// Producer compression (`compression.type`).
    public var compression: Compression
    /// Upper bound on a send: after this a message that was not acknowledged fails
    /// (`message.timeout.ms`).
    public var messageTimeoutMilliseconds: Int
    /// How long a producer's shutdown waits for outstanding messages before purging them.
    public var shutdownFlushTimeoutMilliseconds: Int
    /// Raw librdkafka properties, applied after (and overriding) everything above.
    /// Values are never logged: they may hold secrets.
    public var extraProperties: [String: String]

    public init(
        bootstrapServers: String,
        clientID: String,
        fetchWaitMaxMilliseconds: Int = 20,
        sessionTimeoutMilliseconds: Int = 6000,
        heartbeatIntervalMilliseconds: Int = 1000,
        messageMaxBytes: Int = 16 * 1024 * 1024,
        autoCommitIntervalMilliseconds: Int = 1000,
        lingerMilliseconds: Int = 5,
        compression: Compression = .none,
        messageTimeoutMilliseconds: Int = 30_000,
        shutdownFlushTimeoutMilliseconds: Int = 10_000,
        extraProperties: [String: String] = [:]
    ) {
        self.bootstrapServers = bootstrapServers
        self.clientID = clientID
        self.fetchWaitMaxMilliseconds = fetchWaitMaxMilliseconds
        self.sessionTimeoutMilliseconds = sessionTimeoutMilliseconds
        self.heartbeatIntervalMilliseconds = heartbeatIntervalMilliseconds
        self.messageMaxBytes = messageMaxBytes
        self.autoCommitIntervalMilliseconds = autoCommitIntervalMilliseconds
        self.lingerMilliseconds = lingerMilliseconds
        self.compression = compression
        self.messageTimeoutMilliseconds = messageTimeoutMilliseconds
        self.shutdownFlushTimeoutMilliseconds = shutdownFlushTimeoutMilliseconds
        self.extraProperties = extraProperties
    }
}
