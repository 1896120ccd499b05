/// The librdkafka property dictionaries derived from a ``KafkaConfiguration``.
extension KafkaConfiguration {
    /// librdkafka's default `receive.message.max.bytes`; raised when fetches may be larger.
    private static let defaultReceiveMessageMaxBytes = 100_000_000

    private var commonProperties: [String: String] {
        [
            "bootstrap.servers": bootstrapServers,
            "client.id": clientID,
            "message.max.bytes": String(messageMaxBytes),
            // Small control messages should not wait for Nagle's algorithm.
            "socket.nagle.disable": "true",
        ]
    }

    /// Idempotent producer, acks from all in-sync replicas, short linger.
    var producerProperties: [String: String] {
        var properties = commonProperties
        properties["enable.idempotence"] = "true"
        properties["acks"] = "all"
        properties["linger.ms"] = String(lingerMilliseconds)
        properties["compression.type"] = compression.rawValue
        properties["message.timeout.ms"] = String(messageTimeoutMilliseconds)
        // librdkafka's producer default is true: a send to a missing topic would have the broker
        // create it with its own partition count. Topics are created only by TopicBootstrap.
        properties["allow.auto.create.topics"] = "false"
        return properties.merging(extraProperties) { _, extra in extra }
    }

    /// Manual offset store (store after handling), periodic auto-commit of stored offsets,
    /// `earliest` reset (never `latest`: tansu answers it wrongly), large fetches.
    func consumerProperties(groupID: String) -> [String: String] {
        var properties = commonProperties
        properties["group.id"] = groupID
        properties["enable.auto.offset.store"] = "false"
        properties["enable.auto.commit"] = "true"
        properties["auto.commit.interval.ms"] = String(autoCommitIntervalMilliseconds)
        properties["auto.offset.reset"] = "earliest"
        properties["enable.partition.eof"] = "false"
        properties["fetch.wait.max.ms"] = String(fetchWaitMaxMilliseconds)
        properties["session.timeout.ms"] = String(sessionTimeoutMilliseconds)
        properties["heartbeat.interval.ms"] = String(heartbeatIntervalMilliseconds)
        properties["fetch.max.bytes"] = String(messageMaxBytes)
        properties["max.partition.fetch.bytes"] = String(messageMaxBytes)
        // What librdkafka may prefetch ahead of the handler (default 64 MiB): one fetch's worth,
        // so a consumer of large models holds little beyond the model it is working on.
        properties["queued.max.messages.kbytes"] = String(max(1, messageMaxBytes / 1024))
        properties["receive.message.max.bytes"] = String(
            max(Self.defaultReceiveMessageMaxBytes, messageMaxBytes + 512)
        )
        properties["allow.auto.create.topics"] = "false"
        return properties.merging(extraProperties) { _, extra in extra }
    }

    /// A short-lived client for admin requests and metadata; never creates topics implicitly.
    var adminProperties: [String: String] {
        var properties = commonProperties
        properties["allow.auto.create.topics"] = "false"
        return properties.merging(extraProperties) { _, extra in extra }
    }
}
