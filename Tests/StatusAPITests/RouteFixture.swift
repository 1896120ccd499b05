import Foundation
import Hummingbird
import HummingbirdTesting
import Shared
@testable import StatusAPI

/// The status API's routes over the in-memory read model and a recording publisher, built by
/// the same `buildRouter` production uses.
struct RouteFixture {
    let readModel = InMemoryReadModel()
    let publisher = RecordingSubmissionPublisher()
    let projection = ProjectionHealth(stallLimit: .seconds(30))

    func application() -> some ApplicationProtocol {
        let schema = Readiness()
        schema.markReady()
        let readiness = ReadinessCheck(schema: schema, readModel: readModel, broker: BrokerProbe { nil }, projection: projection)
        return Application(router: StatusAPI.buildRouter(readModel: readModel, publisher: publisher, readiness: readiness))
    }

    static func document(name: String, rounds: Int = 1) -> String {
        """
        apiVersion: federation-ai.open-cluster-management.io/v1alpha1
        kind: FederatedLearning
        metadata: {name: \(name)}
        spec:
          framework: flower
          server: {rounds: \(rounds), minAvailableClients: 1, storage: {type: PersistentVolumeClaim, path: /data/models}}
          client:
            placement:
              clusterSets: [global]
              predicates:
                - requiredClusterSelector:
                    claimSelector:
                      matchExpressions: [{key: federated-learning-sample.client-data, operator: Exists}]
        """
    }

    static func job(_ name: String) throws -> FederatedLearningJob {
        try JobDocument.parse(document(name: name))
    }
}

/// A problem document as a client reads it.
struct ProblemBody: Decodable {
    struct Field: Decodable { var field: String; var problem: String }
    var type: String
    var title: String
    var status: Int
    var detail: String
    var errors: [Field]?
}

extension TestResponse {
    /// The body as problem+json (records an issue if the content type is not that).
    func problem() throws -> ProblemBody {
        guard headers[.contentType] == "application/problem+json" else {
            throw NotAProblem(contentType: headers[.contentType], body: String(buffer: body))
        }
        return try JSONDecoder().decode(ProblemBody.self, from: Data(body.readableBytesView))
    }

    struct NotAProblem: Error, CustomStringConvertible {
        var contentType: String?
        var body: String
        var description: String { "expected application/problem+json, got \(contentType ?? "no content type"): \(body)" }
    }
}
