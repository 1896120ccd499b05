import Foundation
import Learning
import Shared

/// Trains with a job's own program over the trainer contract: writes the global model where
/// the program reads it, runs it, and checks what it wrote. Only programs this cluster allows
/// run: a job document comes from the hub, and the cluster decides what executes on it.
struct CommandTrainer: Sendable {
    /// Program names or paths a command may start with (`FLOTILLA_TRAINER_PROGRAMS`).
    let allowedPrograms: Set<String>
    /// Each job's workspace is `<workRoot>/<job>/`.
    let workRoot: URL
    /// The long-lived trainers of jobs in `serve` mode.
    let sessions = TrainerSessions()
    /// Uploaded apps (nil: this agent fetches none).
    var apps: AppCache? = nil
    /// How an uploaded Flower app runs: the interpreter and the adapter script.
    var python = "python3"
    var flowerAdapter: String? = nil

    /// Runs the task the way the job asks: a process of its own, or the job's session.
    /// Returns the seconds a `serve` trainer says the work itself took, if it says.
    @discardableResult
    private func run(_ task: TrainerTask, command: [String], mode: TrainerSpec.Mode) async throws(TrainerFailure) -> Double? {
        if mode == .serve {
            return try await sessions.perform(task, command: command)
        }
        try await TrainerProcess.run(task, command: command)
        return nil
    }

    func train(_ task: TrainerTask, base: ModelParameters) async throws(TrainerFailure) -> (ModelParameters, TrainerOutput.Metrics) {
        let (update, metrics, _) = try await trainMeasured(task, base: base)
        return (update, metrics)
    }

    /// ``train(_:base:)``, also returning the seconds the trainer reported for its own work.
    func trainMeasured(_ task: TrainerTask, base: ModelParameters) async throws(TrainerFailure) -> (ModelParameters, TrainerOutput.Metrics, Double?) {
        let (command, mode) = try await resolvedCommand(task.spec)
        try prepare(task, base: base)
        let appSeconds = try await run(task, command: command, mode: mode)
        let metrics: TrainerOutput.Metrics
        let update: ModelParameters
        do {
            metrics = try TrainerOutput.metrics(at: task.metricsOut, task: .train)
            update = try TrainerOutput.update(at: task.modelOut, matching: base)
        } catch {
            throw TrainerFailure(reason: error.reason, outputTail: TrainerProcess.outputTail(of: mode == .serve ? task.serveLog : task.log))
        }
        guard metrics.loss != nil else {
            throw TrainerFailure(reason: "the metrics name no training loss (one of \(TrainerOutput.lossNames.joined(separator: ", ")))")
        }
        try? FileManager.default.removeItem(at: task.taskDirectory)  // the log stays; the models are on the hub
        return (update, metrics, appSeconds)
    }

    /// The `evaluate` task: the global model in, metrics out (no update).
    func evaluate(_ task: TrainerTask, model: ModelParameters) async throws(TrainerFailure) -> TrainerOutput.Metrics {
        let (command, mode) = try await resolvedCommand(task.spec)
        try prepare(task, base: model)
        try await run(task, command: command, mode: mode)
        let metrics: TrainerOutput.Metrics
        do {
            metrics = try TrainerOutput.metrics(at: task.metricsOut, task: .evaluate)
        } catch {
            throw TrainerFailure(reason: error.reason, outputTail: TrainerProcess.outputTail(of: mode == .serve ? task.serveLog : task.log))
        }
        guard metrics.examples > 0 else { throw TrainerFailure(reason: "the evaluation scored no examples (num-examples is 0)") }
        try? FileManager.default.removeItem(at: task.taskDirectory)
        return metrics
    }

    func workDirectory(for jobID: String) -> URL {
        workRoot.appendingPathComponent(jobID, isDirectory: true)
    }

    /// The command to run and how: the job's own, with `{app}` standing for its unpacked app;
    /// or, for an app without a command (a Flower app), this cluster's Flower adapter kept
    /// alive in `serve` mode. Either way only a program this cluster allows.
    private func resolvedCommand(_ spec: TrainerSpec) async throws(TrainerFailure) -> ([String], TrainerSpec.Mode) {
        let problems = spec.validate(at: "trainer")
        guard problems.isEmpty else {
            throw TrainerFailure(reason: "trainer refused: \(problems.map(\.description).joined(separator: "; "))")
        }
        var mode = spec.mode ?? .process
        var command = spec.command ?? []
        if let app = spec.app {
            guard let apps else { throw TrainerFailure(reason: "this agent fetches no apps") }
            let directory = try await apps.directory(for: app).path
            if spec.command == nil {
                guard let flowerAdapter else {
                    throw TrainerFailure(reason: "this cluster runs no Flower apps (FLOTILLA_FLOWER_ADAPTER is empty)")
                }
                command = [python, flowerAdapter, "serve", "--app", directory]
                mode = .serve
            } else {
                command = command.map { $0.replacingOccurrences(of: "{app}", with: directory) }
            }
        }
        return (try allowed(command), mode)
    }

    private func allowed(_ command: [String]) throws(TrainerFailure) -> [String] {
        guard let program = command.first else {
            throw TrainerFailure(reason: "the round names no trainer command")
        }
        guard allowedPrograms.contains(program) else {
            let allowed = allowedPrograms.isEmpty ? "none (FLOTILLA_TRAINER_PROGRAMS is empty)" : allowedPrograms.sorted().joined(separator: ", ")
            throw TrainerFailure(reason: "this cluster does not run \(TextFields.escaped(program)); programs allowed here: \(allowed)")
        }
        return command
    }

    private func prepare(_ task: TrainerTask, base: ModelParameters) throws(TrainerFailure) {
        do {
            try? FileManager.default.removeItem(at: task.taskDirectory)  // a task run before a restart
            try FileManager.default.createDirectory(at: task.taskDirectory, withIntermediateDirectories: true)
            try SafeTensorsFile.write(base, to: task.modelIn)  // from the tensors' memory, no copy between
        } catch {
            throw TrainerFailure(reason: "cannot prepare the trainer's workspace \(task.taskDirectory.path): \(error)")
        }
    }
}
