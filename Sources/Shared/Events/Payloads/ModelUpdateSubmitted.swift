import Learning

/// A collaborator's locally trained model for one round, with its example count (the
/// FedAvg weight) and training loss.
public struct ModelUpdateSubmitted: ModelEvent {
    public static let eventType = EventType.modelUpdateSubmitted
    public var jobID: String
    public var round: Int
    public var cluster: String
    public var examples: Int
    public var loss: Double
    public var baseModelSHA256: String
    public var parameters: ModelParameters
    public var subject: String { jobID }

    public init(jobID: String, round: Int, cluster: String, examples: Int, loss: Double, baseModelSHA256: String, parameters: ModelParameters) {
        self.jobID = jobID
        self.round = round
        self.cluster = cluster
        self.examples = examples
        self.loss = loss
        self.baseModelSHA256 = baseModelSHA256
        self.parameters = parameters
    }

    public var metadata: [String: String] {
        [
            "flotilla.job": jobID, "flotilla.round": String(round), "flotilla.cluster": cluster,
            "flotilla.examples": String(examples), "flotilla.loss": String(loss), "flotilla.base-sha256": baseModelSHA256,
        ]
    }

    public init(parameters: ModelParameters, metadata: [String: String]) throws(EventDecodingError) {
        let reader = ModelMetadataReader(metadata: metadata, eventType: Self.eventType)
        self.init(
            jobID: try reader.string("flotilla.job"), round: try reader.int("flotilla.round"),
            cluster: try reader.string("flotilla.cluster"), examples: try reader.int("flotilla.examples"),
            loss: try reader.double("flotilla.loss"), baseModelSHA256: try reader.string("flotilla.base-sha256"),
            parameters: parameters
        )
    }
}
