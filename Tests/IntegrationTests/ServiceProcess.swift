import Foundation
import Shared

/// One of Flotilla's real executables started as a child process, its standard output and
/// error captured in a file, so a test sees exactly what an operator's log collector would.
struct ServiceProcess {
    let process: Process
    let log: URL

    /// A product SwiftPM built next to the test runner.
    static func binary(_ product: String) -> URL {
        let runner = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var directory = runner.deletingLastPathComponent()
        // The runner may sit inside its bundle (…/X.xctest/Contents/MacOS on Darwin).
        while !FileManager.default.isExecutableFile(atPath: directory.appendingPathComponent(product).path), directory.path != "/" {
            directory.deleteLastPathComponent()
        }
        return directory.appendingPathComponent(product)
    }

    static func start(_ product: String, arguments: [String] = [], settings: [ConfigurationKey: String], log: URL) throws -> ServiceProcess {
        try FileManager.default.createDirectory(at: log.deletingLastPathComponent(), withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let output = try FileHandle(forWritingTo: log)
        let process = Process()
        process.executableURL = binary(product)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("FLOTILLA_") }
        for (key, value) in settings { environment[key.rawValue] = value }
        process.environment = environment
        process.standardOutput = output
        process.standardError = output
        try process.run()
        return ServiceProcess(process: process, log: log)
    }

    /// Waits for the process to end by itself; returns its exit status or signal.
    @discardableResult
    func waitForExit(timeout: Duration = .seconds(30)) async throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            guard ContinuousClock.now < deadline else {
                kill(process.processIdentifier, SIGKILL)  // a failed test leaves nothing running
                throw AggregatorProcess.Timeout(what: "\(process.executableURL?.lastPathComponent ?? "a process") to exit", log: logText)
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        return process.terminationStatus
    }

    /// Stops it gracefully (SIGTERM) and waits; kills it if it does not stop in time.
    func stop() async {
        guard process.isRunning else { return }
        process.terminate()
        if (try? await waitForExit(timeout: .seconds(20))) == nil { kill(process.processIdentifier, SIGKILL) }
    }

    var logText: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }
}
