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
            throw ProblemDetails(.serviceUnavailable, type: "not-ready", title: "Not ready", detail: "the status API is still starting (schema migration)")
        }
        return try await next(request, context)
    }
}
