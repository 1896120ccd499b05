import Learning
import Shared

/// What the coordinator decided; the service performs these in order.
public enum AggregatorAction: Sendable, Hashable {
    case publishPhase(JobPhaseChanged)
    /// Encoded once: a round's model file is the same buffer.
    case publishModel(EncodedModel<GlobalModelPublished>)
    case publishRoundStarted(RoundStarted)
    /// Write the model file and its manifest before announcing the round's end.
    case storeModel(StoredModel)
    /// After a restart: make sure a rebuilt round's file is on disk as logged (rewritten only
    /// when missing or different, e.g. torn by a crash).
    case restoreModel(StoredModel)
    case publishRoundCompleted(RoundCompleted)
    case publishRejection(ModelUpdateRejected)
    case publishDeadlineExtended(RoundDeadlineExtended)
    /// Round policy `askForMoreClients`: placement should replace the clusters that did not answer.
    case requestMoreClients(MoreClientsRequested)
    /// The open round announced again, with the replacements placement gave it.
    case reannounceRound(RoundStarted, placementGeneration: Int)
}

/// A global model to write under the job's storage path.
public struct StoredModel: Sendable, Hashable {
    public var jobID: String
    public var round: Int
    /// `<storage.path>/<job>/round-NNNN.safetensors`, before the configured root is applied.
    public var path: String
    public var bytes: [UInt8]
    public var manifest: ModelManifest
}

/// Written next to each model as `round-NNNN.json`.
public struct ModelManifest: Codable, Sendable, Hashable {
    public var job: String
    public var round: Int
    public var sha256: String
    public var strategy: String
    public var contributors: [Contribution]
    public var parameterCount: Int
}

extension AggregatorAction {
    /// What the action does and to which job and round, for logs (never the model itself).
    var label: String {
        switch self {
        case .publishPhase(let change): "publish \(change.jobID) \(change.phase.rawValue)"
        case .publishModel(let model): "publish \(model.event.jobID) model \(model.event.version)"
        case .publishRoundStarted(let started): "publish \(started.jobID) round \(started.round) started"
        case .storeModel(let model): "write \(model.path)"
        case .restoreModel(let model): "restore \(model.path)"
        case .publishRoundCompleted(let completed): "publish \(completed.jobID) round \(completed.round) completed"
        case .publishRejection(let rejection): "publish rejection of \(rejection.updateEventID)"
        case .publishDeadlineExtended(let extended): "publish \(extended.jobID) round \(extended.round) deadline extended"
        case .requestMoreClients(let request): "publish \(request.jobID) round \(request.round) more clients requested"
        case .reannounceRound(let started, let generation): "publish \(started.jobID) round \(started.round) announced again (placement \(generation))"
        }
    }

    /// The job an event is about and the name its id is derived from (nil: nothing to publish).
    /// One decision, one name: a round is started, completed or extended once, a model version
    /// is published once, a job enters a phase once, an update is rejected once.
    var identity: (jobID: String, name: String)? {
        switch self {
        case .publishPhase(let change): (change.jobID, "phase/\(change.phase.rawValue)")
        case .publishModel(let model): (model.event.jobID, "model/\(model.event.version)")
        case .publishRoundStarted(let started): (started.jobID, "round/\(started.round)/started")
        case .publishRoundCompleted(let completed): (completed.jobID, "round/\(completed.round)/completed")
        case .publishDeadlineExtended(let extended): (extended.jobID, "round/\(extended.round)/deadline-extended")
        case .publishRejection(let rejection): (rejection.jobID, "rejection/\(rejection.updateEventID)")
        case .requestMoreClients(let request): (request.jobID, "round/\(request.round)/more-clients-requested")
        case .reannounceRound(let started, let generation): (started.jobID, "round/\(started.round)/started/placement-\(generation)")
        case .storeModel, .restoreModel: nil
        }
    }
}
