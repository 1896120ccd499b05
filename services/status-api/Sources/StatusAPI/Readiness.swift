import Hummingbird
import Synchronization

/// Whether the projection's schema is in place. Until it is, `/readyz` and the API answer
/// 503 instead of failing on missing tables.
final class Readiness: Sendable {
    private let ready = Atomic<Bool>(false)

    var isReady: Bool { ready.load(ordering: .acquiring) }
    func markReady() { ready.store(true, ordering: .releasing) }
}

struct ReadinessMiddleware<Context: RequestContext>: RouterMiddleware {
    let readiness: Readiness

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard readiness.isReady || request.uri.path == "/healthz" else {
            throw ProblemDetails.unavailable(type: "not-ready", "the status API is still starting (schema migration)")
        }
        return try await next(request, context)
    }
}

/// `/readyz`: ready only when PostgreSQL answers, the broker answers, and the projection is
/// neither stuck on a message nor further behind the log than allowed; otherwise 503 naming
/// every reason.
struct ReadinessCheck: Sendable {
    let schema: Readiness
    let readModel: any StatusReadModel
    let broker: BrokerProbe
    let projection: ProjectionHealth
    /// Whether the projection keeps up with the log (nil: not checked, as in route tests
    /// without a broker).
    var lag: CatchUpProbe? = nil

    func problems() async -> [String] {
        async let database = databaseProblem()
        async let brokerProblem = broker.problem()
        let (databaseProblem, brokerAnswer) = (await database, await brokerProblem)
        return [databaseProblem, brokerAnswer, projection.problem, lag?.problem()].compactMap { $0 }
    }

    private func databaseProblem() async -> String? {
        do {
            try await readModel.ping()
            return nil
        } catch let error as DatabaseUnavailable {
            return error.reason
        } catch {
            return "PostgreSQL is not usable (\(error))"
        }
    }

    func response() async throws -> Response {
        let problems = await problems()
        guard problems.isEmpty else { throw ProblemDetails.unavailable(type: "not-ready", problems.joined(separator: "; ")) }
        return try JSONBody.response(["status": "ready"])
    }
}
