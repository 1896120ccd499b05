import Foundation
import Learning
import Shared

/// One collaborator's trainer program driven directly, as the agent drives it, without the
/// hub: for the trainer overhead benchmark (`flotilla-bench trainer-overhead`).
public struct TrainerHarness: Sendable {
    let trainer: CommandTrainer

    public init(allowedPrograms: Set<String>, workRoot: URL) {
        trainer = CommandTrainer(allowedPrograms: allowedPrograms, workRoot: workRoot)
    }

    /// One `train` task; `appSeconds` is the time the trainer says its own work took.
    public func train(
        job: String, round: Int, cluster: String, partition: Int, of count: Int, data: URL, spec: TrainerSpec, base: ModelParameters
    ) async throws -> (update: ModelParameters, examples: Int, appSeconds: Double?) {
        let task = TrainerTask(
            kind: .train, jobID: job, round: round, cluster: cluster, partitionID: partition, partitionCount: count,
            dataDirectory: data, spec: spec, workDirectory: trainer.workDirectory(for: job)
        )
        let (update, metrics, seconds) = try await trainer.trainMeasured(task, base: base)
        return (update, metrics.examples, seconds)
    }

    /// Stops its long-lived trainers.
    public func stop() async { await trainer.sessions.stopAll() }
}
