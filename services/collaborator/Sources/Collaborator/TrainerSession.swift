import Foundation
import Shared
import Synchronization

/// A trainer kept alive across a job's rounds (`spec.client.trainer.mode: serve`): one process
/// that loaded its code and data once, handed one task a line as JSON on stdin, answering
/// `{"ok": true}` or `{"ok": false, "error": ...}` a line on stdout. Its stderr goes to the
/// job's `serve.log`, each task marked. A session that dies, overruns or answers nonsense is
/// stopped; the next task starts a fresh one.
final class TrainerSession: @unchecked Sendable {
    let process: Process
    let log: URL
    private let requests: FileHandle
    private let replies: LineBuffer
    private(set) var lastUsed = ContinuousClock.now
    /// A trainer that dies makes our next write to its stdin fail with EPIPE, not kill the agent.
    private static let ignoreBrokenPipes: Void = { signal(SIGPIPE, SIG_IGN) }()


    init(command: [String], environment: [String: String], workDirectory: URL) throws(TrainerFailure) {
        _ = Self.ignoreBrokenPipes
        log = workDirectory.appendingPathComponent("serve.log")
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = command
        process.environment = environment
        process.currentDirectoryURL = workDirectory
        let input = Pipe(), output = Pipe()
        let errors: FileHandle
        do {
            try FileManager.default.createDirectory(at: workDirectory, withIntermediateDirectories: true)
            if !FileManager.default.fileExists(atPath: log.path) { _ = FileManager.default.createFile(atPath: log.path, contents: nil) }
            errors = try FileHandle(forWritingTo: log)
            try errors.seekToEnd()
        } catch {
            throw TrainerFailure(reason: "cannot open the trainer's log \(log.path): \(error)")
        }
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        do {
            try process.run()
        } catch {
            throw TrainerFailure(reason: "cannot start \(command[0]): \(error)")
        }
        try? errors.close()
        requests = input.fileHandleForWriting
        replies = LineBuffer(reading: output.fileHandleForReading)
    }

    /// Sends one task and waits for its answer until `limit`; returns the seconds the trainer
    /// says the work itself took (`app-seconds`, which the Flower adapter reports), if it says.
    @discardableResult
    func perform(_ task: TrainerTask, limit: Duration) async throws(TrainerFailure) -> Double? {
        lastUsed = .now
        mark("=== round \(task.round) \(task.kind.rawValue) ===")
        let request: [String: String] = [
            "task": task.kind.rawValue, "round": String(task.round), "model_in": task.modelIn.path,
            "model_out": task.kind == .train ? task.modelOut.path : "", "metrics_out": task.metricsOut.path,
            "data_dir": task.dataDirectory.path, "cluster": task.cluster, "partition_id": String(task.partitionID),
            "num_partitions": String(task.partitionCount), "work_dir": task.workDirectory.path,
            "config": task.environment["FLOTILLA_CONFIG"] ?? "{}",
        ]
        guard let line = try? JSONCoding.encoder.encode(request) else { throw TrainerFailure(reason: "cannot encode the task") }
        do {
            try requests.write(contentsOf: line + Data("\n".utf8))
        } catch {
            throw failure("the trainer process stopped reading tasks (\(error))")
        }
        switch await replies.nextLine(within: limit) {
        case .line(let reply):
            struct Answer: Decodable {
                var ok: Bool
                var error: String?
                var appSeconds: Double?
                enum CodingKeys: String, CodingKey { case ok, error, appSeconds = "app-seconds" }
            }
            guard let answer = try? JSONCoding.decoder.decode(Answer.self, from: Data(reply.utf8)) else {
                throw failure("the trainer answered something that is not {\"ok\": ...}: \(TextFields.escaped(String(reply.prefix(200))))")
            }
            if !answer.ok { throw TrainerFailure(reason: "the trainer failed the task: \(TextFields.escaped(answer.error ?? "no reason given"))", outputTail: tail) }
            return answer.appSeconds
        case .closed:
            _ = await ExitSignal.waitForExit(of: process, within: .seconds(2))
            throw failure(process.isRunning ? "the trainer closed its output" : "the trainer process ended (status \(process.terminationStatus))")
        case .timedOut where Task.isCancelled:
            throw failure("the agent stopped while the trainer ran")
        case .timedOut:
            throw failure("the trainer ran past its time limit of \(limit) and was stopped")
        }
    }

    /// False once stopped, even before the process is gone.
    var isUsable: Bool { !stopped.withLock { $0 } && process.isRunning }
    private let stopped = Mutex(false)

    /// Closing stdin asks it to finish; it is killed if it does not within two seconds.
    func stop() {
        guard !stopped.withLock({ wasStopped in defer { wasStopped = true }; return wasStopped }) else { return }
        try? requests.close()
        let process = self.process
        DispatchQueue.global().asyncAfter(deadline: .now() + 2) {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
    }

    private var tail: String { TrainerProcess.outputTail(of: log) }

    /// Stops the session (the next task gets a new one) and says why, quoting its output.
    private func failure(_ reason: String) -> TrainerFailure {
        if process.isRunning { process.terminate() }
        stop()
        return TrainerFailure(reason: reason, outputTail: tail)
    }

    private func mark(_ text: String) {
        guard let handle = try? FileHandle(forWritingTo: log) else { return }
        _ = try? handle.seekToEnd()
        try? handle.write(contentsOf: Data("\(text)\n".utf8))
        try? handle.close()
    }
}

/// Lines from a pipe, read on a thread of their own (a blocking read must not hold one of
/// Swift's few cooperative threads).
final class LineBuffer: @unchecked Sendable {
    enum Next { case line(String), closed, timedOut }

    private struct Buffer {
        var lines: [String] = []
        var partial = Data()
        var closed = false
    }
    private let buffer = Mutex(Buffer())
    static let maximumLineBytes = 1 << 20

    init(reading handle: FileHandle) {
        let thread = Thread { [self] in
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                append(chunk)
            }
            buffer.withLock { $0.closed = true }
        }
        thread.start()
    }

    private func append(_ chunk: Data) {
        buffer.withLock { buffer in
            buffer.partial.append(chunk)
            while let newline = buffer.partial.firstIndex(of: UInt8(ascii: "\n")) {
                buffer.lines.append(String(decoding: buffer.partial[buffer.partial.startIndex..<newline], as: UTF8.self))
                buffer.partial = Data(buffer.partial[buffer.partial.index(after: newline)...])
            }
            if buffer.partial.count > Self.maximumLineBytes { buffer.partial = Data() }  // not the protocol; the answer will not parse
        }
    }

    /// The next line, polled every 5 ms (nothing next to a task), until `limit`.
    func nextLine(within limit: Duration) async -> Next {
        let deadline = ContinuousClock.now + limit
        while true {
            let next: Next? = buffer.withLock { buffer in
                if !buffer.lines.isEmpty { return .line(buffer.lines.removeFirst()) }
                return buffer.closed ? .closed : nil
            }
            if let next { return next }
            if ContinuousClock.now >= deadline || Task.isCancelled { return .timedOut }
            try? await Task.sleep(for: .milliseconds(5))
        }
    }
}

extension ExitSignal {
    /// Waits for a process Foundation already watches (no handler of ours) to end.
    static func waitForExit(of process: Process, within limit: Duration) async -> Bool {
        let deadline = ContinuousClock.now + limit
        while process.isRunning && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        return !process.isRunning
    }
}
