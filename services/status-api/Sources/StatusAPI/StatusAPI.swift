import Hummingbird
import HummingbirdCore
import Logging
import PostgresNIO
import ServiceLifecycle
import Shared

/// Builds the status API exactly as production runs it: the HTTP router, the PostgreSQL
/// client, the Kafka producer (for job submission) and the projection consumer, all as
/// services of one application. `main.swift` and the integration tests call this.
public enum StatusAPI {
    public static func buildApplication(configuration: StatusAPIConfiguration, logger: Logger) throws -> some ApplicationProtocol {
        var database = configuration.database.clientConfiguration
        // Fail fast when PostgreSQL is down: requests answer 503 instead of waiting on the pool.
        database.options.connectTimeout = configuration.databaseTimeout
        let client = PostgresClient(configuration: database, backgroundLogger: logger)
        let producer = try KafkaProducer(configuration: configuration.hub.kafka, logger: logger)
        let publisher = EventPublisher(producer: producer, topicPrefix: configuration.hub.topicPrefix, source: "flotilla/status-api")
        let readModel = PostgresReadModel(client: client, logger: logger, timeout: configuration.databaseTimeout)
        let schema = Readiness()
        let projectionHealth = ProjectionHealth(stallLimit: configuration.projectionStallLimit)
        let broker = BrokerProbe(admin: KafkaAdmin(configuration: configuration.hub.kafka, logger: logger), topic: configuration.hub.topic(.jobs))
        let catchUp = ConsumerCatchUp(configuration: configuration.hub, producer: producer, logger: logger)
        // Not the dead-letter topic: what is read there is recorded as it is, markers included.
        let lag = CatchUpProbe(catchUp, topics: ProjectionService.topics.filter { $0 != .deadLetter }, limit: configuration.readyMaxLag)
        let router = buildRouter(
            readModel: readModel, publisher: publisher,
            readiness: ReadinessCheck(schema: schema, readModel: readModel, broker: broker, projection: projectionHealth, lag: lag)
        )
        let projection = ProjectionService(
            configuration: configuration.hub, client: client, publisher: publisher, readiness: schema, health: projectionHealth, catchUp: catchUp, logger: logger
        )
        return Application(
            router: router,
            server: server(idleTimeout: configuration.idleTimeout),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "flotilla-status-api"),
            services: [client, producer, projection],
            logger: logger
        )
    }

    /// HTTP/1.1 with an idle timeout (idle and half-open connections are closed) and
    /// problem+json for requests too malformed to reach the router.
    static func server(idleTimeout: Duration) -> HTTPServerBuilder {
        let milliseconds = idleTimeout.components.seconds * 1000 + idleTimeout.components.attoseconds / 1_000_000_000_000_000
        return .http1(configuration: .init(
            additionalChannelHandlers: [MalformedRequestHandler()], idleTimeout: .milliseconds(milliseconds),
            httpDecoderConfiguration: .init(maxHeaderFieldSize: RequestLimits.maximumHeadBytes, maxHeaderListSize: RequestLimits.maximumHeadBytes)
        ))
    }

    /// The routes, with every error as problem+json; the read model and publisher are
    /// protocols so tests can run the routes in process.
    static func buildRouter(readModel: any StatusReadModel, publisher: any SubmissionPublisher, readiness: ReadinessCheck) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self, options: .autoGenerateHeadEndpoints)
        router.add(middleware: ProblemMiddleware())
        router.add(middleware: ReadinessMiddleware(readiness: readiness.schema))
        router.get("/healthz") { _, _ in try JSONBody.response(["status": "ok"]) }
        router.get("/readyz") { _, _ in try await readiness.response() }
        JobsController<BasicRequestContext>(readModel: readModel, publisher: publisher).add(to: router.group("/v1/jobs"))
        BlobsController<BasicRequestContext>(readModel: readModel, publisher: publisher).add(to: router.group("/v1/blobs"))
        FleetController<BasicRequestContext>(readModel: readModel).add(to: router)
        BootstrapTokensController<BasicRequestContext>(publisher: publisher).add(to: router)
        router.add(middleware: MethodNotAllowedMiddleware(routes: router.routes))
        return router
    }
}
