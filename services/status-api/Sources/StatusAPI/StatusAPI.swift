import Hummingbird
import Logging
import PostgresNIO
import ServiceLifecycle
import Shared

/// Builds the status API exactly as production runs it: the HTTP router, the PostgreSQL
/// client, the Kafka producer (for job submission) and the projection consumer, all as
/// services of one application. Tests call this too.
public enum StatusAPI {
    public static func buildApplication(configuration: StatusAPIConfiguration, logger: Logger) throws -> some ApplicationProtocol {
        let client = PostgresClient(configuration: configuration.database.clientConfiguration, backgroundLogger: logger)
        let producer = try KafkaProducer(configuration: configuration.hub.kafka, logger: logger)
        let publisher = EventPublisher(producer: producer, topicPrefix: configuration.hub.topicPrefix, source: "flotilla/status-api")
        let queries = StatusQueries(client: client, logger: logger)
        let readiness = Readiness()
        let router = buildRouter(queries: queries, publisher: publisher, readiness: readiness)
        let projection = ProjectionService(configuration: configuration.hub, client: client, publisher: publisher, readiness: readiness, logger: logger)
        return Application(
            router: router,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "flotilla-status-api"),
            services: [client, producer, projection],
            logger: logger
        )
    }

    static func buildRouter(queries: StatusQueries, publisher: EventPublisher, readiness: Readiness) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: ProblemMiddleware())
        router.add(middleware: ReadinessMiddleware(readiness: readiness))
        router.get("/healthz") { _, _ in try JSONBody.response(["status": "ok"]) }
        router.get("/readyz") { _, _ -> Response in
            do {
                try await queries.client.query("SELECT 1", logger: queries.logger)
                return try JSONBody.response(["status": "ready"])
            } catch {
                throw ProblemDetails(.serviceUnavailable, type: "not-ready", title: "Not ready", detail: "PostgreSQL is not reachable")
            }
        }
        JobsController<BasicRequestContext>(queries: queries, publisher: publisher).add(to: router.group("/v1/jobs"))
        FleetController<BasicRequestContext>(queries: queries).add(to: router)
        return router
    }
}
