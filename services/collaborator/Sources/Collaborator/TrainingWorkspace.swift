import Dispatch
import Foundation
import Learning
import Shared

/// The collaborator's local side of a round: its private data (loaded once per path) and
/// the global models it has seen. Training runs on a dedicated queue, never on Swift's
/// cooperative pool, so heartbeats and Kafka keep flowing while a model trains.
actor TrainingWorkspace {
    private let dataRoot: String
    private let commandTrainer: CommandTrainer
    private var datasets: [String: LabeledImages] = [:]
    /// Latest global model per job; a round's base model always arrives just before it.
    private var models: [String: GlobalModelPublished] = [:]
    /// The latest round of each job this agent took part in or saw completed: an older or
    /// repeated `RoundStarted` (a duplicate, a replay) is not trained again.
    private var handledRounds: [String: Int] = [:]
    /// Each job's rounds as announced (the latest two): what a federated evaluation after a
    /// round needs, even once the next round is announced.
    private var announced: [String: [Int: RoundStarted]] = [:]
    /// The latest round of each job evaluated here: a repeated `RoundCompleted` (a duplicate on
    /// the log) is not evaluated again.
    private var evaluatedRounds: [String: Int] = [:]
    /// Every tenth example of a shard is held out of training, for federated evaluation.
    static let holdOutEvery = 10
    private static let trainingQueue = DispatchQueue(label: "flotilla.collaborator.training", qos: .userInitiated)

    init(
        dataRoot: String,
        commandTrainer: CommandTrainer = CommandTrainer(allowedPrograms: [], workRoot: FileManager.default.temporaryDirectory.appendingPathComponent("flotilla-work"))
    ) {
        self.dataRoot = dataRoot
        self.commandTrainer = commandTrainer
    }

    func remember(_ model: GlobalModelPublished) {
        if let known = models[model.jobID], known.version > model.version { return }
        models[model.jobID] = model
    }

    func forget(job: String) { models[job] = nil }

    func stopTrainers() async { await commandTrainer.sessions.stopAll() }

    /// True the first time a round of a job is seen; false for one already handled or closed.
    func announce(_ round: RoundStarted) {
        var rounds = announced[round.jobID] ?? [:]
        guard round.round >= (rounds.keys.max() ?? 0) - 1 else { return }
        rounds[round.round] = round
        announced[round.jobID] = rounds.filter { $0.key >= round.round - 1 }
    }

    /// What a restarted agent rebuilt from the log (see ``CollaboratorRecovery``).
    func restore(_ recovery: CollaboratorRecovery) {
        models = recovery.models
        announced = recovery.announced
        handledRounds = recovery.handledRounds
        evaluatedRounds = recovery.evaluated
    }

    func claim(_ round: Int, of job: String) -> Bool {
        guard round > handledRounds[job, default: 0] else { return false }
        handledRounds[job] = round
        return true
    }

    func roundClosed(_ round: Int, of job: String) {
        handledRounds[job] = max(handledRounds[job, default: 0], round)
    }

    enum RoundError: Error, CustomStringConvertible {
        case missingBaseModel(job: String, version: Int)
        case noDataPath(cluster: String)
        case dataPathRefused(PathConfinementError)
        case settingsRefused(String)
        var description: String {
            switch self {
            case .missingBaseModel(let job, let version): "base model version \(version) of job \(job) was not received"
            case .noDataPath(let cluster): "placement gave cluster \(cluster) no data path (no matching claim)"
            case .dataPathRefused(let error): "data path refused: \(error)"
            case .settingsRefused(let problems): "training settings refused: \(problems)"
            }
        }
    }

    func train(for round: RoundStarted, as cluster: String, dataPath: String?) async throws -> ModelUpdateSubmitted {
        // The round came from the log: the job document's limits hold here too.
        let problems = TrainingLimits.problems(architecture: round.architecture, configuration: round.training)
        guard problems.isEmpty else {
            throw RoundError.settingsRefused(problems.map { "\($0.field.isEmpty ? "model" : $0.field): \($0.problem)" }.joined(separator: "; "))
        }
        guard let base = models[round.jobID], base.version == round.baseVersion, base.sha256 == round.baseModelSHA256 else {
            throw RoundError.missingBaseModel(job: round.jobID, version: round.baseVersion)
        }
        guard let dataPath else { throw RoundError.noDataPath(cluster: cluster) }
        if let trainer = round.trainer {
            return try await trainWithCommand(trainer, for: round, as: cluster, dataPath: dataPath, base: base)
        }
        let data = try dataset(at: dataPath).holdingOut(every: Self.holdOutEvery).training
        let (parameters, report) = try await Self.offPool {
            try LocalTrainer.train(base.parameters, architecture: round.architecture, on: data, configuration: round.training)
        }
        return ModelUpdateSubmitted(
            jobID: round.jobID, round: round.round, cluster: cluster, examples: report.examples,
            loss: report.meanLoss, baseModelSHA256: base.sha256, parameters: parameters
        )
    }

    /// The job's own program over the trainer contract, on the same confined data directory.
    private func trainWithCommand(
        _ trainer: TrainerSpec, for round: RoundStarted, as cluster: String, dataPath: String, base: GlobalModelPublished
    ) async throws -> ModelUpdateSubmitted {
        let task = try trainerTask(.train, trainer, for: round, as: cluster, dataPath: dataPath)
        let (parameters, metrics) = try await commandTrainer.train(task, base: base.parameters)
        return ModelUpdateSubmitted(
            jobID: round.jobID, round: round.round, cluster: cluster, examples: metrics.examples,
            loss: metrics.loss ?? .nan, baseModelSHA256: base.sha256, parameters: parameters
        )
    }

    private func trainerTask(
        _ kind: TrainerTask.Kind, _ trainer: TrainerSpec, for round: RoundStarted, as cluster: String, dataPath: String
    ) throws -> TrainerTask {
        let directory: URL
        do {
            directory = try ConfinedPath(dataPath, under: dataRoot).url
        } catch {
            throw RoundError.dataPathRefused(error)
        }
        let names = round.participants.map(\.cluster).sorted()
        return TrainerTask(
            kind: kind, jobID: round.jobID, round: round.round, cluster: cluster,
            partitionID: names.firstIndex(of: cluster) ?? 0, partitionCount: names.count, dataDirectory: directory,
            spec: trainer, workDirectory: commandTrainer.workDirectory(for: round.jobID)
        )
    }

    /// Federated evaluation after a round this cluster contributed to: the round's new global
    /// model scored on the held-out part of the same data, by the same trainer that trained.
    /// Nil when this round is not one to evaluate, or this cluster did not contribute.
    func evaluate(after completed: RoundCompleted, as cluster: String) async throws -> EvaluationReported? {
        guard completed.contributions.contains(where: { $0.cluster == cluster }),
              let round = announced[completed.jobID]?[completed.round],
              completed.round > evaluatedRounds[completed.jobID, default: 0] else { return nil }
        let every = round.evaluateEvery ?? EvaluationSpec.defaultEveryRounds
        guard every > 0, completed.round % every == 0 else { return nil }
        evaluatedRounds[completed.jobID] = completed.round
        guard let model = models[completed.jobID], model.version == completed.modelVersion else {
            throw RoundError.missingBaseModel(job: completed.jobID, version: completed.modelVersion)
        }
        guard let dataPath = round.participants.first(where: { $0.cluster == cluster })?.dataPath else {
            throw RoundError.noDataPath(cluster: cluster)
        }
        if let trainer = round.trainer {
            let task = try trainerTask(.evaluate, trainer, for: round, as: cluster, dataPath: dataPath)
            let metrics = try await commandTrainer.evaluate(task, model: model.parameters)
            return EvaluationReported(jobID: round.jobID, round: completed.round, cluster: cluster, examples: metrics.examples, metrics: metrics.values)
        }
        let heldOut = try dataset(at: dataPath).holdingOut(every: Self.holdOutEvery).heldOut
        guard heldOut.count > 0 else { return nil }
        let architecture = round.architecture
        let evaluation = try await Self.offPool { try Evaluator.evaluate(model.parameters, architecture: architecture, on: heldOut) }
        return EvaluationReported(
            jobID: round.jobID, round: completed.round, cluster: cluster, examples: evaluation.examples,
            metrics: ["accuracy": evaluation.accuracy, "loss": evaluation.meanLoss]
        )
    }

    /// Loads the data at `path`, which must resolve (links included) inside the data root: the
    /// path comes from a claim value on the log, which the agent does not control.
    func dataset(at path: String) throws -> LabeledImages {
        if let cached = datasets[path] { return cached }
        let directory: URL
        do {
            directory = try ConfinedPath(path, under: dataRoot).url
        } catch {
            throw RoundError.dataPathRefused(error)
        }
        let data = try LabeledImages.loadMNIST(directory: directory, split: .train)
        datasets[path] = data
        return data
    }

    private static func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            trainingQueue.async { continuation.resume(with: Result { try work() }) }
        }
    }
}
