import Foundation
import Testing
@testable import Shared

/// The broker restarts empty under a running stack (the local broker keeps its log in memory).
/// Before, librdkafka crashed in every consumer within seconds (SIGSEGV in its metadata cache).
/// Now no process crashes: each notices that the broker's cluster id changed, says the log was
/// lost, and exits with status 1 so its supervisor restarts it on the new log.
@Suite(.timeLimit(.minutes(2)))
struct BrokerRestartTests {
    @Test func aBrokerRestartedEmptyIsDetectedAndNothingCrashes() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent(TestInfrastructure.uniqueName("flotilla-restart-"))
        defer { try? FileManager.default.removeItem(at: root) }
        let port = try TestInfrastructure.freePort()
        var broker = try Self.startBroker(port: port, clusterID: "first", log: root.appendingPathComponent("broker-1.log"))
        defer { kill(broker.processIdentifier, SIGKILL) }  // tansu ignores SIGTERM while clients are connected
        try await Task.sleep(for: .milliseconds(500))
        let database = try await TestInfrastructure.freshDatabase(logger: .init(label: "test.restart"))
        let settings: [ConfigurationKey: String] = [
            .kafkaBootstrap: "127.0.0.1:\(port)", .topicPrefix: TestInfrastructure.uniqueName("r"), .kafkaFetchWaitMilliseconds: "10",
            .databaseURL: database.description, .httpPort: String(try TestInfrastructure.freePort()),
            .modelRoot: root.appendingPathComponent("models").path, .dataRoot: root.path, .clusterName: "c1", .heartbeatSeconds: "1",
        ]
        let products = ["flotilla-registry", "flotilla-placement", "flotilla-aggregator", "flotilla-status-api", "flotilla-collaborator"]
        let processes = try products.map { try ServiceProcess.start($0, settings: settings, log: root.appendingPathComponent("\($0).log")) }
        defer { for process in processes where process.process.isRunning { kill(process.process.processIdentifier, SIGKILL) } }
        try await Task.sleep(for: .seconds(6))  // every service started, replayed and consuming
        for (product, process) in zip(products, processes) { #expect(process.process.isRunning, "\(product) stopped early:\n\(process.logText)") }

        kill(broker.processIdentifier, SIGKILL)
        broker.waitUntilExit()
        broker = try Self.startBroker(port: port, clusterID: "second", log: root.appendingPathComponent("broker-2.log"))
        for (product, process) in zip(products, processes) {
            try await process.waitForExit(timeout: .seconds(40))
            #expect(process.process.terminationReason == .exit, "\(product) was killed by signal \(process.process.terminationStatus):\n\(process.logText.suffix(3000))")
            #expect(process.process.terminationStatus == 1, "\(product) exited with \(process.process.terminationStatus)")
            #expect(process.logText.contains("the event log was lost"), "\(product) did not say why:\n\(process.logText.suffix(3000))")
        }
    }

    static func startBroker(port: Int, clusterID: String, log: URL) throws -> Process {
        let cache = ProcessInfo.processInfo.environment["FLOTILLA_CACHE"] ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/flotilla").path
        try FileManager.default.createDirectory(at: log.deletingLastPathComponent(), withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: cache).appendingPathComponent("bin/tansu")
        process.arguments = ["broker", "--cluster-id", clusterID, "--listener-url", "tcp://127.0.0.1:\(port)", "--advertised-listener-url", "tcp://127.0.0.1:\(port)"]
        let output = try FileHandle(forWritingTo: log)
        process.standardOutput = output
        process.standardError = output
        try process.run()
        return process
    }
}
