import Logging
import ServiceLifecycle

/// What every Flotilla executable does in `main`: set up logging once, build its services,
/// run them in one `ServiceGroup` that shuts down gracefully on SIGTERM/SIGINT (in reverse
/// order, well inside Kubernetes' 30 s grace period), and exit non-zero on a start-up error.
public enum ServiceMain {
    public static func run(
        name: String,
        build: @Sendable (ConfigurationSource, Logger) async throws -> [any Service]
    ) async {
        let environment = ConfigurationSource.process
        let level = (try? environment.string(.logLevel)).flatMap { Logger.Level(rawValue: $0.lowercased()) } ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "flotilla.\(name)")
        do {
            let services = try await build(environment, logger)
            let group = ServiceGroup(
                configuration: .init(
                    services: services.map { .init(service: $0) },
                    gracefulShutdownSignals: [.sigterm, .sigint],
                    cancellationSignals: [],
                    logger: logger
                )
            )
            logger.info("\(name) starting")
            try await group.run()
            logger.info("\(name) stopped")
        } catch {
            logger.critical("\(name) failed: \(error)")
            exitProcess(1)
        }
    }
}
