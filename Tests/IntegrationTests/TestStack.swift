import Aggregator
import Collaborator
import Foundation
import Hummingbird
import Learning
import Logging
import Placement
import Registry
import ServiceLifecycle
import Shared
import StatusAPI
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A whole Flotilla deployment inside the test process: the four hub services and N
/// collaborators, wired by the same builders and `Service` types the executables use,
/// against the real broker and a fresh PostgreSQL database.
struct TestStack {
    let hub: HubConfiguration
    let database: DatabaseConfiguration
    let port: Int
    let root: URL
    let logger: Logger
    var baseURL: URL { URL(string: "http://127.0.0.1:\(port)")! }
    /// Where the aggregator writes models (job storage paths are rooted here).
    var modelRoot: URL { root.appendingPathComponent("storage") }

    static func make(clusters: Int, label: String) async throws -> TestStack {
        var logger = Logger(label: "test.\(label)")
        logger.logLevel = ProcessInfo.processInfo.environment["FLOTILLA_TEST_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
        var kafka = KafkaConfiguration(bootstrapServers: try TestInfrastructure.kafkaBootstrap(), clientID: "test-\(label)")
        kafka.fetchWaitMaxMilliseconds = 10
        kafka.lingerMilliseconds = 0
        // Tiny pieces, so every model on the wire in these tests is split and reassembled.
        let hub = HubConfiguration(kafka: kafka, topicPrefix: TestInfrastructure.uniqueName("t"), logLevel: logger.logLevel, modelChunkBytes: 128)
        let root = FileManager.default.temporaryDirectory.appendingPathComponent(TestInfrastructure.uniqueName("flotilla-\(label)-"))
        // Each cluster's private data: a small synthetic 4-class problem, two classes per cluster.
        let all = try LabeledImages.synthetic(count: 400, featureCount: 16, classes: 4, seed: 7)
        for index in 1...clusters {
            let digits: Set<UInt8> = index % 2 == 1 ? [0, 1] : [2, 3]
            try all.filtered(digits: digits).write(to: root.appendingPathComponent("data/private/c\(index)"), split: .train)
        }
        return TestStack(hub: hub, database: try await TestInfrastructure.freshDatabase(logger: logger), port: try TestInfrastructure.freePort(), root: root, logger: logger)
    }

    /// The services of the hub and of `clusters` collaborators, as one list for a ServiceGroup.
    func services(
        clusters: Int, statusAPI includeStatusAPI: Bool = true, aggregator includeAggregator: Bool = true,
        lease: LeaseSettings = LeaseSettings(duration: 3, checkInterval: 1)
    ) throws -> [any Service] {
        var services = try hubServices(statusAPI: includeStatusAPI, aggregator: includeAggregator, lease: lease)
        for index in 1...max(clusters, 1) where clusters > 0 { services += try collaboratorServices(index) }
        return services
    }

    /// Registry (with its lease monitor), placement (with its ticker), aggregator, status API,
    /// each built by its library's own builder, as its executable does.
    func hubServices(
        statusAPI includeStatusAPI: Bool = true, registry includeRegistry: Bool = true, placement includePlacement: Bool = true,
        aggregator includeAggregator: Bool = true, lease: LeaseSettings = LeaseSettings(duration: 3, checkInterval: 1)
    ) throws -> [any Service] {
        var services: [any Service] = []
        if includePlacement { services += try placementServices() }
        if includeAggregator { services += try Aggregator.services(configuration: AggregatorConfiguration(hub: hub, modelRoot: modelRoot.path), logger: logger) }
        if includeStatusAPI { services.append(try statusAPI()) }
        if includeRegistry { services += try registryServices(lease: lease) }
        return services
    }

    /// Placement and its ticker, with their own producer (so it can be restarted alone).
    func placementServices() throws -> [any Service] {
        try Placement.services(configuration: hub, logger: logger)
    }

    /// The registry and its lease monitor, with their own producer (so it can be restarted alone).
    /// `certificates`: agents must enrol with a bootstrap token and sign (the CA under `root/ca`).
    func registryServices(lease: LeaseSettings = LeaseSettings(duration: 3, checkInterval: 1), certificates: Bool = false) throws -> [any Service] {
        try Registry.services(
            configuration: RegistryConfiguration(
                hub: hub, lease: lease, authentication: certificates ? .certificates : .open, caDirectory: root.appendingPathComponent("ca"), certificateLifetime: 3_600
            ),
            logger: logger
        )
    }

    /// One collaborator agent, `c<index>`, with its own producer (so it can be stopped alone).
    func collaboratorServices(_ index: Int, deregisterOnExit: Bool = false) throws -> [any Service] {
        try Collaborator.services(configuration: collaboratorConfiguration(index, deregisterOnExit: deregisterOnExit), logger: logger)
    }

    func collaboratorConfiguration(_ index: Int, deregisterOnExit: Bool = false) -> CollaboratorConfiguration {
        CollaboratorConfiguration(
            hub: hub,
            registration: ClusterRegistration(
                name: "c\(index)", labels: ["site": "s\(index)"], claims: ["federated-learning-sample.client-data": "/data/private/c\(index)"],
                resources: ClusterResources(cpuMillicores: 2000, memoryBytes: 1 << 30)
            ),
            dataRoot: root.path, heartbeatInterval: .seconds(1), deregisterOnExit: deregisterOnExit,
            trainerPrograms: ["python3", "sh"], workRoot: root.appendingPathComponent("work/c\(index)"),
            python: "python3", flowerAdapter: Self.repository.appendingPathComponent("trainers/flower/flotilla_flower.py").path
        )
    }

    /// The repository's root (for its examples and the Flower adapter).
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `PUT` of raw bytes, e.g. a blob.
    func put(_ path: String, body: Data, contentType: String = "application/x-tar") async throws -> (Int, Data) {
        var request = URLRequest(url: baseURL.appendingPathComponent(path))
        request.httpMethod = "PUT"
        request.httpBody = body
        request.setValue(contentType, forHTTPHeaderField: "Content-Type")
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
    }

    func statusAPI(_ adjust: (inout StatusAPIConfiguration) -> Void = { _ in }) throws -> some Service {
        var configuration = StatusAPIConfiguration(hub: hub, database: database, port: port)
        adjust(&configuration)
        return try StatusAPI.buildApplication(configuration: configuration, logger: logger)
    }

    /// Runs `body` while `services` run, then shuts them down gracefully.
    func running<T: Sendable>(_ services: [any Service], _ body: () async throws -> T) async throws -> T {
        let group = ServiceGroup(configuration: .init(services: services.map { .init(service: $0) }, gracefulShutdownSignals: [], cancellationSignals: [], logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            do {
                let result = try await body()
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                return result
            } catch {
                await group.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                throw error
            }
        }
    }

    // MARK: HTTP

    func get(_ path: String) async throws -> (Int, Data) {
        try await send(URLRequest(url: baseURL.appendingPathComponent(path)))
    }

    func post(_ path: String, body: String, contentType: String = "application/yaml") async throws -> (Int, Data) {
        var request = URLRequest(url: baseURL.appendingPathComponent(path))
        request.httpMethod = "POST"
        request.httpBody = Data(body.utf8)
        request.setValue(contentType, forHTTPHeaderField: "Content-Type")  // URLSession would say form-urlencoded
        return try await send(request)
    }

    private func send(_ request: URLRequest) async throws -> (Int, Data) {
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
    }

    /// Polls until `condition` holds for the decoded JSON of `path`, or fails after `timeout`.
    func waitFor<T: Decodable>(_ path: String, as type: T.Type, timeout: Duration = .seconds(60), _ condition: (T) -> Bool) async throws -> T {
        let deadline = ContinuousClock.now + timeout
        var last: T?
        while ContinuousClock.now < deadline {
            if let (status, data) = try? await get(path), status == 200, let value = try? JSONCoding.decoder.decode(T.self, from: data) {
                if condition(value) { return value }
                last = value
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TimedOut(path: path, last: last.map { "\($0)" } ?? "nothing")
    }

    struct TimedOut: Error, CustomStringConvertible {
        var path: String
        var last: String
        var description: String { "timed out waiting on \(path); last seen: \(last)" }
    }

    /// `aggregation`: the spec's aggregation block as flow YAML, e.g. `{roundDeadlineSeconds: 3}`.
    /// `trainer`: `spec.client.trainer` as flow YAML; `evaluation`: `spec.evaluation` likewise;
    /// `initialModel`: `spec.server.initialModel`.
    static func jobDocument(
        name: String, rounds: Int, minimum: Int, numberOfClusters: Int? = nil, aggregation: String? = nil, trainer: String? = nil, evaluation: String? = nil,
        initialModel: String? = nil
    ) -> String {
        """
        apiVersion: federation-ai.open-cluster-management.io/v1alpha1
        kind: FederatedLearning
        metadata: {name: \(name)}
        spec:
          framework: flower
          server: {rounds: \(rounds), minAvailableClients: \(minimum), storage: {type: PersistentVolumeClaim, path: /data/models}\(initialModel.map { ", initialModel: \"\($0)\"" } ?? "")}
          client:
            placement:
              clusterSets: [global]\(numberOfClusters.map { "\n      numberOfClusters: \($0)" } ?? "")
              predicates:
                - requiredClusterSelector:
                    claimSelector:
                      matchExpressions: [{key: federated-learning-sample.client-data, operator: Exists}]\(trainer.map { "\n    trainer: \($0)" } ?? "")
          training: {model: softmaxRegression, inputs: 16, classes: 4, epochs: 2, batchSize: 16, learningRate: 0.1}\(aggregation.map { "\n  aggregation: \($0)" } ?? "")\(evaluation.map { "\n  evaluation: \($0)" } ?? "")
        """
    }
}
