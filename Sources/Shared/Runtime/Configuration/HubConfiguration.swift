import Logging

/// What every Flotilla process needs: the broker, the topic namespace, the log level.
public struct HubConfiguration: Sendable {
    public var kafka: KafkaConfiguration
    public var topicPrefix: String
    public var logLevel: Logger.Level
    /// Model events larger than this are split (below a stock Kafka broker's 1 MiB message limit).
    public var modelChunkBytes: Int
    public static let defaultModelChunkBytes = 900 * 1024

    public init(kafka: KafkaConfiguration, topicPrefix: String, logLevel: Logger.Level = .info, modelChunkBytes: Int = defaultModelChunkBytes) {
        self.kafka = kafka
        self.topicPrefix = topicPrefix
        self.logLevel = logLevel
        self.modelChunkBytes = modelChunkBytes
    }

    public init(environment: ConfigurationSource, clientID: String) throws(ConfigurationError) {
        var kafka = KafkaConfiguration(bootstrapServers: try environment.string(.kafkaBootstrap), clientID: clientID)
        kafka.fetchWaitMaxMilliseconds = try environment.int(.kafkaFetchWaitMilliseconds, in: 0...10_000)
        kafka.sessionTimeoutMilliseconds = try environment.int(.kafkaSessionTimeoutMilliseconds, in: 1_000...300_000)
        kafka.heartbeatIntervalMilliseconds = max(250, kafka.sessionTimeoutMilliseconds / 6)
        // Control events are sent one at a time and awaited: batching delay only adds latency.
        kafka.lingerMilliseconds = 0
        kafka.extraProperties = try environment.pairs(.kafkaProperties)
        let levelText = try environment.string(.logLevel)
        guard let level = Logger.Level(rawValue: levelText.lowercased()) else {
            throw ConfigurationError(key: .logLevel, problem: "'\(levelText)' is not one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self.init(
            kafka: kafka, topicPrefix: try environment.string(.topicPrefix), logLevel: level,
            modelChunkBytes: try environment.int(.modelChunkBytes, in: 1_024...(64 << 20))
        )
    }

    public func topic(_ topic: Topic) -> String { topic.name(prefix: topicPrefix) }
}
