import Learning

/// A global model version: 0 is the initial model, version r is the result of round r.
public struct GlobalModelPublished: ModelEvent {
    public static let eventType = EventType.globalModelPublished
    public var jobID: String
    public var version: Int
    public var parameters: ModelParameters
    /// SHA-256 of the parameters alone (safetensors without metadata): stable across rounds' metadata.
    public var sha256: String
    public var subject: String { jobID }

    public init(jobID: String, version: Int, parameters: ModelParameters) {
        self.jobID = jobID
        self.version = version
        self.parameters = parameters
        self.sha256 = ModelDigest.sha256(of: parameters)
    }

    public var metadata: [String: String] {
        ["flotilla.job": jobID, "flotilla.version": String(version), "flotilla.sha256": sha256]
    }

    public init(parameters: ModelParameters, metadata: [String: String]) throws(EventDecodingError) {
        let reader = ModelMetadataReader(metadata: metadata, eventType: Self.eventType)
        self.init(jobID: try reader.string("flotilla.job"), version: try reader.int("flotilla.version"), parameters: parameters)
        let declared = try reader.string("flotilla.sha256")
        guard declared == sha256 else {
            throw EventDecodingError("\(Self.eventType.rawValue): parameters do not match their declared sha256")
        }
    }
}
