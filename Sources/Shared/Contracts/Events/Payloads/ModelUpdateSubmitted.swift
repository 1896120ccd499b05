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
    /// The values, with the decoder's proof that they are finite when it gave one.
    private var values: UpdateValues
    public var subject: String { jobID }

    /// Setting the parameters drops the decoder's proof.
    public var parameters: ModelParameters {
        get { values.parameters }
        set { values = .unchecked(newValue) }
    }

    /// The parameters as the decoder proved them finite (nil when built in code, or decoded
    /// with NaN or infinity): the aggregator then skips its own read of every value.
    public var finiteParameters: FiniteParameters? {
        if case let .finite(parameters) = values { parameters } else { nil }
    }

    public init(jobID: String, round: Int, cluster: String, examples: Int, loss: Double, baseModelSHA256: String, parameters: ModelParameters) {
        self.init(jobID: jobID, round: round, cluster: cluster, examples: examples, loss: loss, baseModelSHA256: baseModelSHA256, values: .unchecked(parameters))
    }

    private init(jobID: String, round: Int, cluster: String, examples: Int, loss: Double, baseModelSHA256: String, values: UpdateValues) {
        self.jobID = jobID
        self.round = round
        self.cluster = cluster
        self.examples = examples
        self.loss = loss
        self.baseModelSHA256 = baseModelSHA256
        self.values = values
    }

    public var metadata: [String: String] {
        [
            "flotilla.job": jobID, "flotilla.round": String(round), "flotilla.cluster": cluster,
            "flotilla.examples": String(examples), "flotilla.loss": String(loss), "flotilla.base-sha256": baseModelSHA256,
        ]
    }

    public init(parameters: ModelParameters, metadata: [String: String]) throws(EventDecodingError) {
        try self.init(values: .unchecked(parameters), metadata: metadata)
    }

    public init(finite parameters: FiniteParameters, metadata: [String: String]) throws(EventDecodingError) {
        try self.init(values: .finite(parameters), metadata: metadata)
    }

    private init(values: UpdateValues, metadata: [String: String]) throws(EventDecodingError) {
        let reader = ModelMetadataReader(metadata: metadata, eventType: Self.eventType)
        self.init(
            jobID: try reader.string("flotilla.job"), round: try reader.int("flotilla.round"),
            cluster: try reader.string("flotilla.cluster"), examples: try reader.int("flotilla.examples"),
            loss: try reader.double("flotilla.loss"), baseModelSHA256: try reader.string("flotilla.base-sha256"),
            values: values
        )
    }
}

/// An update's values, holding each array once (a second reference would make the aggregator
/// copy the first update instead of adopting it as its sum). Equal when the values are equal,
/// proof or not.
private enum UpdateValues: Sendable, Hashable {
    case unchecked(ModelParameters)
    case finite(FiniteParameters)

    var parameters: ModelParameters {
        switch self {
        case let .unchecked(parameters): parameters
        case let .finite(finite): finite.parameters
        }
    }

    static func == (lhs: UpdateValues, rhs: UpdateValues) -> Bool { lhs.parameters == rhs.parameters }
    func hash(into hasher: inout Hasher) { hasher.combine(parameters) }
}
