import Shared

/// The status API's settings, read once at start-up.
public struct StatusAPIConfiguration: Sendable {
    public var hub: HubConfiguration
    public var database: DatabaseConfiguration
    public var host: String
    public var port: Int
    /// A connection that sends nothing for this long (idle between requests, or half-open) is closed.
    public var idleTimeout: Duration = .seconds(30)
    /// How long one database call of a request may take before the API answers 503.
    public var databaseTimeout: Duration = .milliseconds(1500)
    /// How long the projection may work on one message (retrying it) before `/readyz` says it is stuck.
    public var projectionStallLimit: Duration = .seconds(30)
    /// How long the projection may take to read what was just written and `/readyz` still say ready.
    public var readyMaxLag: Duration = .seconds(10)

    public init(hub: HubConfiguration, database: DatabaseConfiguration, host: String = "127.0.0.1", port: Int) {
        self.hub = hub
        self.database = database
        self.host = host
        self.port = port
    }

    public init(source: ConfigurationSource) throws(ConfigurationError) {
        self.init(
            hub: try HubConfiguration(environment: source, clientID: "flotilla-status-api"),
            database: try DatabaseConfiguration(url: try source.string(.databaseURL)),
            host: try source.string(.httpHost),
            port: try source.int(.httpPort, in: 0...65_535)
        )
        idleTimeout = .seconds(try source.int(.httpIdleTimeoutSeconds, in: 1...86_400))
        databaseTimeout = .milliseconds(try source.int(.databaseTimeoutMilliseconds, in: 100...600_000))
        projectionStallLimit = .seconds(try source.int(.projectionStallSeconds, in: 1...86_400))
        readyMaxLag = .seconds(try source.int(.readyMaxLagSeconds, in: 1...86_400))
    }
}
