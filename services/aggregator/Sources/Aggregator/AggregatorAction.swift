import Learning
import Shared

/// What the coordinator decided; the service performs these in order.
public enum AggregatorAction: Sendable, Hashable {
    case publishPhase(JobPhaseChanged)
    case publishModel(GlobalModelPublished)
    case publishRoundStarted(RoundStarted)
    /// Write the model file and its manifest before announcing the round's end.
    case storeModel(StoredModel)
    case publishRoundCompleted(RoundCompleted)
    case publishRejection(ModelUpdateRejected)
    case publishDeadlineExtended(RoundDeadlineExtended)
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
