import Learning

/// A global model version: 0 is the initial model, version r is the result of round r.
///
/// The aggregator writes these same bytes as the round's model file, so the file's header
/// names its job, round (the version), strategy and parameters' sha256.
public struct GlobalModelPublished: ModelEvent {
    public static let eventType = EventType.globalModelPublished
    public var jobID: String
    public var version: Int
    public var parameters: ModelParameters
    /// The job's aggregation strategy (e.g. `fedavg`), when the publisher names it.
    public var strategy: String?
    /// SHA-256 of the parameters alone (safetensors without metadata): stable across rounds' metadata.
    public var sha256: String
    public var subject: String { jobID }

    public init(jobID: String, version: Int, parameters: ModelParameters, strategy: String? = nil) {
        self.jobID = jobID
        self.version = version
        self.parameters = parameters
        self.strategy = strategy
        self.sha256 = ModelDigest.sha256(of: parameters)
    }

    public var metadata: [String: String] {
        var fields = ["flotilla.job": jobID, "flotilla.version": String(version), "flotilla.round": String(version), "flotilla.sha256": sha256]
        fields["flotilla.strategy"] = strategy
        return fields
    }

    public init(parameters: ModelParameters, metadata: [String: String]) throws(EventDecodingError) {
        let reader = ModelMetadataReader(metadata: metadata, eventType: Self.eventType)
        self.init(
            jobID: try reader.string("flotilla.job"), version: try reader.int("flotilla.version"), parameters: parameters,
            strategy: metadata["flotilla.strategy"]
        )
        let declared = try reader.string("flotilla.sha256")
        guard declared == sha256 else {
            throw EventDecodingError("\(Self.eventType.rawValue): parameters do not match their declared sha256")
        }
    }
}
