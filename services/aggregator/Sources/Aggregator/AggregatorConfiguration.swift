import Shared

public struct AggregatorConfiguration: Sendable {
    public var hub: HubConfiguration
    /// Job storage paths are rooted here (in Kubernetes the model PVC mounts at `/`).
    public var modelRoot: String

    public init(hub: HubConfiguration, modelRoot: String) {
        self.hub = hub
        self.modelRoot = modelRoot
    }

    public init(source: ConfigurationSource) throws(ConfigurationError) {
        self.init(hub: try HubConfiguration(environment: source, clientID: "flotilla-aggregator"), modelRoot: try source.string(.modelRoot))
    }
}
