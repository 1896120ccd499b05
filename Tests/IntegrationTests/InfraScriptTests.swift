import Foundation
import Testing

/// `scripts/infra` must stop everything it started, wherever the run directory lies. A run
/// directory under a directory the `postgres` user cannot enter (any `mktemp -d` clone) used to
/// leak a PostgreSQL server on every `down`: pg_ctl ran as `postgres` through the symlink.
@Suite(.timeLimit(.minutes(1)))
struct InfraScriptTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func downStopsPostgreSQLWhenTheRunDirectoryIsPrivate() async throws {
        let parent = FileManager.default.temporaryDirectory.appendingPathComponent("flotilla-infra-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(at: parent) }
        let run = parent.appendingPathComponent("run")
        try await Self.infra("up", run)
        let data = run.appendingPathComponent("postgres").resolvingSymlinksInPath().appendingPathComponent("data")
        let pidText = try String(contentsOf: data.appendingPathComponent("postmaster.pid"), encoding: .utf8)
        let pid = try #require(pidText.split(separator: "\n").first.flatMap { Int32($0) })
        #expect(Self.isRunning(pid))
        try await Self.infra("down", run)
        #expect(!Self.isRunning(pid), "PostgreSQL (pid \(pid)) still runs after scripts/infra down")
        #expect(!FileManager.default.fileExists(atPath: data.path), "its data directory was removed")
        if Self.isRunning(pid) { kill(pid, SIGKILL) }
    }

    /// Runs `scripts/infra COMMAND DIR` and reads its exit status from a file the shell writes:
    /// Foundation's `Process` can miss the end of a child that leaves daemons behind (it stayed
    /// "running" as an unreaped zombie), and reading `terminationStatus` then traps.
    static func infra(_ command: String, _ directory: URL) async throws {
        let status = directory.deletingLastPathComponent().appendingPathComponent("infra-\(command).status")
        try? FileManager.default.removeItem(at: status)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", "\"$0\" \"$1\" \"$2\" > /dev/null 2>&1; echo $? > \"$3\"", root.appendingPathComponent("scripts/infra").path, command, directory.path, status.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = ContinuousClock.now + .seconds(45)
        var code: String?
        while code == nil, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
            code = (try? String(contentsOf: status, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines).nilIfEmpty
        }
        #expect(code == "0", "scripts/infra \(command) ended with \(code ?? "no status within 45 s")")
    }

    /// Alive and not a zombie (an exited server may stay unreaped where PID 1 reaps nothing).
    static func isRunning(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0, let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return false }
        // The state follows the command name in parentheses: "123 (postgres) S ...".
        guard let close = stat.lastIndex(of: ")") else { return false }
        let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first
        return state != "Z"
    }
}

extension String {
    fileprivate var nilIfEmpty: String? { isEmpty ? nil : self }
}
