import Hummingbird

/// Answers a known path asked with a method it does not serve with 405 and `Allow` (the router
/// alone answers 404). Added after every route, so it wraps only the router's "not found".
struct MethodNotAllowedMiddleware<Context: RequestContext>: RouterMiddleware {
    private let routes: [(path: RouterPath, methods: Set<HTTPRequest.Method>)]

    init(routes descriptions: [Router<Context>.RouteDescription]) {
        var routes: [(path: RouterPath, methods: Set<HTTPRequest.Method>)] = []
        for description in descriptions {
            if let index = routes.firstIndex(where: { $0.path == description.path }) {
                routes[index].methods.insert(description.method)
            } else {
                routes.append((description.path, [description.method]))
            }
        }
        // HEAD is answered for every GET route (the router generates it).
        self.routes = routes.map { ($0.path, $0.methods.contains(.get) ? $0.methods.union([.head]) : $0.methods) }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let allowed = allowedMethods(for: request.uri.path)
            guard !allowed.isEmpty else {
                throw ProblemDetails.notFound("'\(request.uri.path)'")
            }
            let allow = allowed.map(\.rawValue).sorted().joined(separator: ", ")
            throw ProblemDetails(.methodNotAllowed, type: "method-not-allowed", title: "Method not allowed",
                                 detail: "\(request.uri.path) accepts \(allow), not \(request.method.rawValue)", headers: [.allow: allow])
        }
    }

    func allowedMethods(for path: String) -> Set<HTTPRequest.Method> {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        var allowed: Set<HTTPRequest.Method> = []
        for route in routes where route.path.components.count == segments.count {
            if zip(route.path.components, segments).allSatisfy({ $0.0 ~= $0.1 }) { allowed.formUnion(route.methods) }
        }
        return allowed
    }
}
