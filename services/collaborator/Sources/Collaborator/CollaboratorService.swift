import Foundation
import Learning
import Logging
import ServiceLifecycle
import Shared

/// Follows `flotilla.rounds`: remembers each job's global model and, when a round names this
/// cluster, trains on the local data and publishes the update. Raw data never leaves.
///
/// At every start it rebuilds what it knows from the log (``CollaboratorRecovery``) and does
/// what a crash left undone (a round it never answered, an evaluation it never reported),
/// then follows `flotilla.rounds` live from where the replay ended.
public struct CollaboratorService: Service {
    let configuration: CollaboratorConfiguration
    /// The broker connection `run()` consumes and replays with (nil: handling only, in process).
    let publisher: EventPublisher?
    /// Where updates, failures and evaluations are published: the broker, or its in-memory twin.
    let sink: any EventSink
    let logger: Logger
    let workspace: TrainingWorkspace

    public init(configuration: CollaboratorConfiguration, publisher: EventPublisher, logger: Logger) {
        self.configuration = configuration
        self.publisher = publisher
        self.sink = publisher
        self.logger = logger
        var trainer = CommandTrainer(allowedPrograms: configuration.trainerPrograms, workRoot: configuration.workRoot)
        trainer.apps = AppCache(configuration: configuration.hub, producer: publisher.producer, root: configuration.workRoot.appendingPathComponent("apps"), logger: logger)
        trainer.python = configuration.python
        trainer.flowerAdapter = configuration.flowerAdapter
        self.workspace = TrainingWorkspace(dataRoot: configuration.dataRoot, commandTrainer: trainer)
    }

    /// The agent's handling over an in-memory sink, for in-process tests (`run()` needs a
    /// broker; uploaded apps cannot be fetched).
    init(configuration: CollaboratorConfiguration, sink: any EventSink, logger: Logger) {
        self.configuration = configuration
        self.publisher = nil
        self.sink = sink
        self.logger = logger
        var trainer = CommandTrainer(allowedPrograms: configuration.trainerPrograms, workRoot: configuration.workRoot)
        trainer.python = configuration.python
        trainer.flowerAdapter = configuration.flowerAdapter
        self.workspace = TrainingWorkspace(dataRoot: configuration.dataRoot, commandTrainer: trainer)
    }

    var name: String { configuration.registration.name }

    public func run() async throws {
        guard let publisher else { throw HandlingOnly() }
        let source = EventSource(service: "collaborator-\(name)", configuration: configuration.hub, publisher: publisher, logger: logger, ownsTopics: false)
        do {
            try await source.consume([.rounds], from: .replay { try await recover(with: $0) }, hooks: .init(models: .decode)) { event in  // global models decoded as their pieces arrive
                try await handle(event)
            }
        } catch {
            await workspace.stopTrainers()
            throw error
        }
        await workspace.stopTrainers()  // a job's long-lived trainer does not outlive the agent
    }

    /// Replays the rounds, the jobs' ends and this cluster's own reports, restores the
    /// workspace, finishes what was left undone, and returns where the rounds' replay ended.
    func recover(with replay: TopicReplay) async throws -> [KafkaTopicPartitionOffset] {
        let started = ContinuousClock.now
        var recovery = CollaboratorRecovery(cluster: name, source: sink.source)
        let positions = try await replay.replay([.jobs, .rounds, .updates], reassembling: recovery.reassembles) { event in
            recovery.apply(event)
        }
        await workspace.restore(recovery)
        let pending = recovery.pending
        logger.info("state rebuilt from the log", metadata: [
            "jobs": "\(recovery.models.count)", "roundsToTrain": "\(pending.rounds.map { "\($0.jobID)#\($0.round)" })",
            "evaluationsToReport": "\(pending.evaluations.map { "\($0.jobID)#\($0.round)" })", "took": "\(ContinuousClock.now - started)",
        ])
        for round in pending.rounds { try await takePart(in: round) }
        for completed in pending.evaluations { try await evaluate(after: completed) }
        let rounds = replay.configuration.topic(.rounds)
        return positions.filter { $0.topic == rounds }
    }

    func handle(_ event: ConsumedEvent) async throws {
        switch event.envelope.type {
        case .globalModelPublished:
            await workspace.remember(try event.model(GlobalModelPublished.self))
        case .roundStarted:
            let round = try event.payload(RoundStarted.self)
            await workspace.announce(round)
            try await takePart(in: round)
        case .roundCompleted:
            let completed = try event.payload(RoundCompleted.self)
            await workspace.roundClosed(completed.round, of: completed.jobID)
            try await evaluate(after: completed)
        default:
            return
        }
    }

    /// Trains for a round that names this cluster, once, and sends the update or why not.
    private func takePart(in round: RoundStarted) async throws {
        guard let me = round.participants.first(where: { $0.cluster == name }) else { return }
        guard await workspace.claim(round.round, of: round.jobID) else { return }  // a duplicate or an old round
        do {
            let update = try await workspace.train(for: round, as: name, dataPath: me.dataPath)
            try await sink.publish(update)
            logger.info("update sent", metadata: ["job": "\(round.jobID)", "round": "\(round.round)", "examples": "\(update.examples)", "loss": "\(update.loss)"])
            configuration.fault.crash(at: .updateSent(round: round.round))
        } catch is CancellationError {
            throw CancellationError()
        } catch let error as TrainingWorkspace.RoundError {
            try await reportFailure(of: round, reason: "\(error)")
        } catch let error as DatasetError {
            // Missing or corrupt local data will not heal by retrying this round.
            try await reportFailure(of: round, reason: "cannot read local data: \(error)")
        } catch let error as TrainerFailure {
            try await reportFailure(of: round, reason: "the job's trainer failed: \(error)")
        } catch let error as TrainingError {
            try await reportFailure(of: round, reason: "local training failed: \(error)")
        }
    }

    /// Federated evaluation: a failure is logged, never fatal (the round is already closed).
    private func evaluate(after completed: RoundCompleted) async throws {
        do {
            guard let report = try await workspace.evaluate(after: completed, as: name) else { return }
            try await sink.publish(report)
            logger.info("evaluation sent", metadata: ["job": "\(report.jobID)", "round": "\(report.round)", "examples": "\(report.examples)", "metrics": "\(report.metrics)"])
        } catch is CancellationError {
            throw CancellationError()
        } catch let error as KafkaError {
            throw error  // a passing fault: the event is retried
        } catch {
            logger.warning("cannot evaluate the global model", metadata: ["job": "\(completed.jobID)", "round": "\(completed.round)", "reason": "\(error)"])
        }
    }

    /// Says why this cluster will not send an update, so the round need not wait for it.
    private func reportFailure(of round: RoundStarted, reason: String) async throws {
        logger.error("cannot take part in round", metadata: ["job": "\(round.jobID)", "round": "\(round.round)", "reason": "\(reason)"])
        try await sink.publish(RoundParticipationFailed(jobID: round.jobID, round: round.round, cluster: name, reason: reason))
    }
}

/// `run()` of an agent built for in-process handling: there is no broker to consume.
struct HandlingOnly: Error, CustomStringConvertible {
    var description: String { "this agent was built for in-process handling; it has no broker to run on" }
}
