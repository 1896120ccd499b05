import Logging
import ServiceLifecycle

/// Notices that the broker behind the bootstrap servers is no longer the one this process
/// started on: the Kafka cluster id changed, so the log the service rebuilt its state from
/// is gone (a broker restarted empty, a cluster replaced). Nothing consumed since can be
/// trusted to continue that state, so it stops the process with a clear error and a non-zero
/// status; its supervisor restarts it and it rebuilds from the log the broker has now.
public struct LogIdentityWatch: Service {
    let admin: KafkaAdmin
    let interval: Duration
    let logger: Logger

    public init(configuration: KafkaConfiguration, interval: Duration = .seconds(2), logger: Logger) {
        self.admin = KafkaAdmin(configuration: configuration, logger: logger)
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        var known: String?
        try await periodically(every: interval) {
            // An unreachable broker is a passing fault: the clients reconnect by themselves.
            guard let current = try? await admin.clusterID() else { return }
            guard let first = known else {
                known = current
                return
            }
            if current != first {
                let error = LogLost(previousClusterID: first, clusterID: current)
                logger.critical("\(error)")
                throw error
            }
        }
    }
}

/// The broker now serves another Kafka cluster (another log) than the one the process began with.
public struct LogLost: Error, Sendable, CustomStringConvertible {
    public var previousClusterID: String
    public var clusterID: String
    public var description: String {
        "the event log was lost: the broker's Kafka cluster id changed from \(previousClusterID) to \(clusterID) "
            + "(a broker restarted empty or replaced); stopping so the supervisor restarts this service on the new log"
    }
}
