import Foundation
import Learning
import Logging
import ServiceLifecycle
import Shared

/// Follows `flotilla.rounds`: remembers each job's global model and, when a round names this
/// cluster, trains on the local data and publishes the update. Raw data never leaves.
public struct CollaboratorService: Service {
    let configuration: CollaboratorConfiguration
    let publisher: EventPublisher
    let logger: Logger
    let workspace: TrainingWorkspace

    public init(configuration: CollaboratorConfiguration, publisher: EventPublisher, logger: Logger) {
        self.configuration = configuration
        self.publisher = publisher
        self.logger = logger
        self.workspace = TrainingWorkspace(dataRoot: configuration.dataRoot)
    }

    var name: String { configuration.registration.name }

    public func run() async throws {
        try await EventProcessor.consume([.rounds], as: "collaborator-\(name)", configuration: configuration.hub, publisher: publisher, logger: logger) { event in
            try await handle(event)
        }
    }

    func handle(_ event: ConsumedEvent) async throws {
        switch event.envelope.type {
        case .globalModelPublished:
            await workspace.remember(try event.model(GlobalModelPublished.self))
        case .roundStarted:
            let round = try event.payload(RoundStarted.self)
            guard let me = round.participants.first(where: { $0.cluster == name }) else { return }
            do {
                let update = try await workspace.train(for: round, as: name, dataPath: me.dataPath)
                try await publisher.publish(update)
                logger.info("update sent", metadata: ["job": "\(round.jobID)", "round": "\(round.round)", "examples": "\(update.examples)", "loss": "\(update.loss)"])
            } catch is CancellationError {
                throw CancellationError()
            } catch let error as TrainingWorkspace.RoundError {
                logger.error("cannot take part in round", metadata: ["job": "\(round.jobID)", "round": "\(round.round)", "error": "\(error)"])
            } catch let error as DatasetError {
                // Missing or corrupt local data will not heal by retrying this round.
                logger.error("cannot read local data for round", metadata: ["job": "\(round.jobID)", "round": "\(round.round)", "error": "\(error)"])
            } catch let error as TrainingError {
                logger.error("local training failed", metadata: ["job": "\(round.jobID)", "round": "\(round.round)", "error": "\(error)"])
            }
        default:
            return
        }
    }
}
