import Foundation
import Shared

/// The real `aggregator` executable, started as a child process against a test stack, so a
/// test can let it die by SIGKILL (via `FLOTILLA_FAULT`) and start it again.
struct AggregatorProcess {
    let process: Process
    let log: URL

    /// The binary SwiftPM built next to the test runner (or `FLOTILLA_AGGREGATOR_BINARY`).
    static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["FLOTILLA_AGGREGATOR_BINARY"] { return URL(fileURLWithPath: path) }
        return ServiceProcess.binary("flotilla-aggregator")
    }

    static func start(stack: TestStack, fault: String, run: Int) throws -> AggregatorProcess {
        let log = stack.root.appendingPathComponent("aggregator-\(run).log")
        try FileManager.default.createDirectory(at: stack.root, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let output = try FileHandle(forWritingTo: log)
        let process = Process()
        process.executableURL = binary
        var environment = ProcessInfo.processInfo.environment
        let settings: [ConfigurationKey: String] = [
            .kafkaBootstrap: stack.hub.kafka.bootstrapServers, .topicPrefix: stack.hub.topicPrefix,
            .kafkaFetchWaitMilliseconds: "10", .modelChunkBytes: "1024", .modelRoot: stack.modelRoot.path,
            .logLevel: "info", .fault: fault,
        ]
        for (key, value) in settings { environment[key.rawValue] = value }
        process.environment = environment
        process.standardOutput = output
        process.standardError = output
        try process.run()
        return AggregatorProcess(process: process, log: log)
    }

    /// Waits for the process to end by itself; returns the signal that ended it (nil: it exited).
    func waitForDeath(timeout: Duration = .seconds(60)) async throws -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            guard ContinuousClock.now < deadline else { throw Timeout(what: "the aggregator to die", log: logText) }
            try await Task.sleep(for: .milliseconds(50))
        }
        return process.terminationReason == .uncaughtSignal ? process.terminationStatus : nil
    }

    /// Stops it gracefully (SIGTERM) and waits.
    func stop() async {
        guard process.isRunning else { return }
        process.terminate()
        _ = try? await waitForDeath(timeout: .seconds(20))
    }

    var logText: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

    struct Timeout: Error, CustomStringConvertible {
        var what: String
        var log: String
        var description: String { "timed out waiting for \(what); its log:\n\(log)" }
    }
}
