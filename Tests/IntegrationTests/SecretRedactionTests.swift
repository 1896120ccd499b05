import Foundation
@testable import StatusAPI
import Testing
@testable import Shared

/// No secret reaches a log: every executable runs at trace level with a Kafka SASL password
/// and a PostgreSQL password in its configuration, and none of them prints either; a malformed
/// database URL stops the status API with an error that names the variable, not the password.
@Suite(.timeLimit(.minutes(2)))
struct SecretRedactionTests {
    static let kafkaSecret = "kafka-S3cret-7f2c"
    static let databaseSecret = "pg-S3cret-91ab"

    @Test func aWholeStackAtTraceLevelLogsNoSecret() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent(TestInfrastructure.uniqueName("flotilla-secrets-"))
        defer { try? FileManager.default.removeItem(at: root) }
        let database = try await TestInfrastructure.freshDatabase(logger: .init(label: "test.secrets"))
        var common: [ConfigurationKey: String] = [
            .kafkaBootstrap: try TestInfrastructure.kafkaBootstrap(), .topicPrefix: TestInfrastructure.uniqueName("s"),
            .logLevel: "trace", .kafkaFetchWaitMilliseconds: "10",
            // SASL settings that a PLAINTEXT connection ignores, so the stack still runs.
            .kafkaProperties: "sasl.username=flotilla,sasl.password=\(Self.kafkaSecret)",
            .modelRoot: root.appendingPathComponent("models").path, .dataRoot: root.path,
            .httpPort: String(try TestInfrastructure.freePort()),
            .databaseURL: "postgres://\(database.username):\(Self.databaseSecret)@\(database.host):\(database.port)/\(database.database)",
        ]
        common[.clusterName] = "c1"
        common[.heartbeatSeconds] = "1"
        let products = ["flotilla-registry", "flotilla-placement", "flotilla-aggregator", "flotilla-status-api", "flotilla-collaborator"]
        let processes = try products.map { try ServiceProcess.start($0, settings: common, log: root.appendingPathComponent("logs/\($0).log")) }
        // Long enough for every start-up path (topics, replays, registration, heartbeats, HTTP).
        try await Task.sleep(for: .seconds(6))
        for process in processes { await process.stop() }
        for (product, process) in zip(products, processes) {
            let text = process.logText
            #expect(!text.isEmpty, "\(product) logged nothing at trace level")
            #expect(!text.contains(Self.kafkaSecret), "\(product) logged the Kafka SASL password")
            #expect(!text.contains(Self.databaseSecret), "\(product) logged the PostgreSQL password")
        }
    }

    @Test func aMalformedDatabaseURLIsNamedButNotPrinted() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent(TestInfrastructure.uniqueName("flotilla-secrets-"))
        defer { try? FileManager.default.removeItem(at: root) }
        let settings: [ConfigurationKey: String] = [
            .kafkaBootstrap: try TestInfrastructure.kafkaBootstrap(), .logLevel: "trace",
            .databaseURL: "postgres://flotilla:\(Self.databaseSecret) with space@[::1/flotilla",
        ]
        let process = try ServiceProcess.start("flotilla-status-api", settings: settings, log: root.appendingPathComponent("status-api.log"))
        let status = try await process.waitForExit()
        #expect(status == 1)
        #expect(process.logText.contains(ConfigurationKey.databaseURL.rawValue))
        #expect(!process.logText.contains(Self.databaseSecret), "the critical error printed the password: \(process.logText)")
    }

    @Test func redactionHidesUserInformationInAnyURL() {
        #expect(DatabaseConfiguration.redacted("postgres://u:p4ss@h:5432/db") == "postgres://***@h:5432/db")
        #expect(DatabaseConfiguration.redacted("postgres://u:p@ss word@[::1/db") == "postgres://***@[::1/db")
        #expect(!DatabaseConfiguration.redacted("u:secret@host").contains("secret"))
        #expect(DatabaseConfiguration.redacted("postgres://h/db") == "postgres://h/db")
    }

    @Test func aMistypedPropertyIsNotEchoed() {
        let source = ConfigurationSource(["FLOTILLA_KAFKA_PROPERTIES": "sasl.username=u,sasl.password:\(Self.kafkaSecret)"])
        #expect(throws: ConfigurationError.self) { try source.pairs(.kafkaProperties) }
        do { _ = try source.pairs(.kafkaProperties) } catch { #expect(!error.description.contains(Self.kafkaSecret)) }
    }
}

extension SecretRedactionTests {
    /// swift-service-lifecycle logs each service with `"\(service)"`, which printed every field
    /// of its configuration, raw Kafka properties included.
    @Test func aConfigurationPrintsNoPropertyValue() {
        let configuration = KafkaConfiguration(bootstrapServers: "b:9092", clientID: "x", extraProperties: ["sasl.password": Self.kafkaSecret])
        struct Holder { var kafka: KafkaConfiguration }
        for text in [String(describing: configuration), String(reflecting: configuration), String(describing: Holder(kafka: configuration))] {
            #expect(!text.contains(Self.kafkaSecret), "\(text)")
            #expect(text.contains("sasl.password=<redacted>"), "\(text)")
        }
    }
}
