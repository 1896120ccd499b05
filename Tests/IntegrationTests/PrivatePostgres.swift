import Foundation
import StatusAPI
import Shared

/// A PostgreSQL server of one test's own, which the test may stop and start again (the shared
/// one serves every other test). Started the way `scripts/infra` starts one: `initdb` and
/// `pg_ctl` from PostgreSQL 15, as the `postgres` user when the tests run as root.
final class PrivatePostgres: Sendable {
    let directory: String
    let port: Int
    private static let bin = ProcessInfo.processInfo.environment["PGBIN"] ?? "/usr/lib/postgresql/15/bin"

    /// The database every fresh cluster has.
    var configuration: DatabaseConfiguration {
        get throws { try DatabaseConfiguration(url: "postgres://flotilla@127.0.0.1:\(port)/postgres") }
    }

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent(TestInfrastructure.uniqueName("flotilla-private-pg-")).path
        port = try TestInfrastructure.freePort()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        if getuid() == 0 { try run("/bin/chown", ["postgres:postgres", directory], asPostgres: false) }
        try run("\(Self.bin)/initdb", ["-D", "\(directory)/data", "-U", "flotilla", "--auth=trust", "-E", "UTF8"])
        try start()
    }

    func start() throws {
        try run("\(Self.bin)/pg_ctl", [
            "-D", "\(directory)/data", "-l", "\(directory)/server.log", "-w", "-t", "30",
            "-o", "-c listen_addresses=127.0.0.1 -p \(port) -c unix_socket_directories=\(directory) -c fsync=off", "start",
        ])
    }

    /// Stops at once, as a crash would: clients see their connections closed and new ones refused.
    func stop() throws {
        try run("\(Self.bin)/pg_ctl", ["-D", "\(directory)/data", "-m", "immediate", "-w", "stop"])
    }

    /// Stops the server (if it runs) and removes its files.
    func remove() {
        try? stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Runs a tool to its end through `/bin/sh`, waiting with `waitpid` (Foundation's `Process`
    /// can wait for ever on `pg_ctl start`, whose server inherits the tool's descriptors). Its
    /// errors go to a file: the server would hold a pipe open for ever.
    private func run(_ tool: String, _ arguments: [String], asPostgres: Bool = true) throws {
        let errorsPath = "\(directory)/tool-errors.log"
        let quoted = ([tool] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        let prefix = asPostgres && getuid() == 0 ? "runuser -u postgres -- " : ""
        let command = "cd / && \(prefix)\(quoted) > /dev/null 2> '\(errorsPath)'"
        var pid: pid_t = 0
        let words: [String] = ["/bin/sh", "-c", command]
        let argv: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        guard posix_spawn(&pid, "/bin/sh", nil, nil, argv, environ) == 0 else { throw Failed(description: "cannot start /bin/sh") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        guard status == 0 else {
            let text = (try? String(contentsOfFile: errorsPath, encoding: .utf8)) ?? ""
            throw Failed(description: "\(tool) \(arguments.joined(separator: " ")) failed (wait status \(status)): \(text)")
        }
    }

    struct Failed: Error, CustomStringConvertible { var description: String }
}
