import Hummingbird
import Shared

/// `/v1/clusters` and `/v1/dead-letters`: the fleet's state and what could not be processed.
struct FleetController<Context: RequestContext>: Sendable {
    let readModel: any StatusReadModel

    func add(to router: Router<Context>) {
        router.get("/v1/clusters") { _, _ in try JSONBody.response(Page(items: try await readModel.clusters())) }
        router.get("/v1/clusters/:name") { _, context in
            let name = try context.parameters.require("name")
            guard let cluster = try await readModel.clusters().first(where: { $0.name == name }) else {
                throw ProblemDetails.notFound("cluster '\(name)'")
            }
            return try JSONBody.response(cluster)
        }
        router.get("/v1/dead-letters") { _, _ in try JSONBody.response(Page(items: try await readModel.deadLetters(limit: 500))) }
    }
}
