import Foundation
import Shared
import Synchronization

/// Why a trainer program's task produced no usable result; the reason a round is told.
struct TrainerFailure: Error, CustomStringConvertible {
    var reason: String
    /// The end of what the trainer wrote, quoted so the hub sees why without the cluster's log.
    var outputTail: String = ""
    var description: String { outputTail.isEmpty ? reason : "\(reason); its output ends: \(outputTail)" }
}

/// Runs one trainer task as a child process: no shell, the contract's environment, stdout and
/// stderr into the task's log, stopped at its time limit, when its output grows past
/// `maximumOutputBytes`, or when the agent stops.
enum TrainerProcess {
    static let maximumOutputBytes = 16 << 20
    static let tailBytes = 600

    static func run(_ task: TrainerTask, command: [String]) async throws(TrainerFailure) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")  // finds the program on PATH, as a shell would
        process.arguments = command
        process.environment = task.environment
        process.currentDirectoryURL = task.workDirectory
        let log: FileHandle
        do {
            guard FileManager.default.createFile(atPath: task.log.path, contents: nil) else { throw CocoaError(.fileWriteUnknown) }
            log = try FileHandle(forWritingTo: task.log)
        } catch {
            throw TrainerFailure(reason: "cannot open the task's log \(task.log.path): \(error)")
        }
        defer { try? log.close() }
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice

        let exited = ExitSignal()
        process.terminationHandler = { _ in exited.fire() }
        do {
            try process.run()
        } catch {
            throw TrainerFailure(reason: "cannot start \(command[0]): \(error)")
        }
        var outcome = await withTaskCancellationHandler {
            await watch(process, task: task, exited: exited)
        } onCancel: {
            stop(process)
        }
        if outcome == .exited && fileSize(task.log) > maximumOutputBytes { outcome = .tooMuchOutput }  // wrote it all between two looks
        let tail = outputTail(of: task.log)
        switch outcome {
        case .exited where process.terminationReason == .uncaughtSignal:
            throw TrainerFailure(reason: "the trainer was killed by signal \(process.terminationStatus)", outputTail: tail)
        case .exited where process.terminationStatus != 0:
            throw TrainerFailure(reason: "the trainer exited with status \(process.terminationStatus)", outputTail: tail)
        case .exited:
            return
        case .timedOut:
            throw TrainerFailure(reason: "the trainer ran past its time limit of \(task.spec.timeout) and was stopped", outputTail: tail)
        case .tooMuchOutput:
            throw TrainerFailure(reason: "the trainer wrote more than \(maximumOutputBytes >> 20) MiB of output and was stopped", outputTail: tail)
        case .cancelled:
            throw TrainerFailure(reason: "the agent stopped while the trainer ran")
        }
    }

    private enum Outcome { case exited, timedOut, tooMuchOutput, cancelled }

    /// Polls twice a second: exit, time limit, output size, cancellation.
    private static func watch(_ process: Process, task: TrainerTask, exited: ExitSignal) async -> Outcome {
        let deadline = ContinuousClock.now + task.spec.timeout
        while true {
            if await exited.wait(for: .milliseconds(500)) { return .exited }
            if Task.isCancelled {
                stop(process)
                _ = await exited.wait(for: .seconds(5))
                return .cancelled
            }
            let outcome: Outcome? =
                ContinuousClock.now >= deadline ? .timedOut
                : fileSize(task.log) > maximumOutputBytes ? .tooMuchOutput
                : nil
            if let outcome {
                stop(process)
                _ = await exited.wait(for: .seconds(5))
                return outcome
            }
        }
    }

    /// SIGTERM, then SIGKILL if it is still there two seconds later.
    private static func stop(_ process: Process) {
        guard process.isRunning else { return }
        process.terminate()
        let pid = process.processIdentifier
        DispatchQueue.global().asyncAfter(deadline: .now() + 2) {
            if process.isRunning { kill(pid, SIGKILL) }
        }
    }

    /// The size of a file, 0 when it is not there.
    static func fileSize(_ url: URL) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? NSNumber)?.intValue ?? 0
    }

    /// The last few hundred bytes of the log, on one line.
    static func outputTail(of url: URL) -> String {
        guard let handle = try? FileHandle(forReadingFrom: url) else { return "" }
        defer { try? handle.close() }
        let size = fileSize(url)
        try? handle.seek(toOffset: UInt64(max(0, size - tailBytes)))
        let data = (try? handle.readToEnd()) ?? Data()
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return TextFields.escaped(text.replacingOccurrences(of: "\n", with: " | "))
    }
}

/// The child's exit, set by Process's handler (which runs on a thread of its own).
final class ExitSignal: Sendable {
    private let fired = Mutex(false)

    func fire() {
        fired.withLock { $0 = true }
    }

    /// True when the process exited within `limit`; polls every 10 ms, which costs nothing
    /// next to a task and adds at most that to a round.
    func wait(for limit: Duration) async -> Bool {
        let deadline = ContinuousClock.now + limit
        while true {
            if fired.withLock({ $0 }) { return true }
            if ContinuousClock.now >= deadline { return false }
            try? await Task.sleep(for: .milliseconds(10))
        }
    }
}
