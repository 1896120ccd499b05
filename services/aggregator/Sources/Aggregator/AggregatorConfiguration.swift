import Shared

public struct AggregatorConfiguration: Sendable {
    public var hub: HubConfiguration
    /// Job storage paths are rooted here (in Kubernetes the model PVC mounts at `/`).
    public var modelRoot: String
    /// Where to SIGKILL itself, for crash-recovery tests (`FLOTILLA_FAULT`); none by default.
    public var fault: FaultPlan

    public init(hub: HubConfiguration, modelRoot: String, fault: FaultPlan = FaultPlan()) {
        self.hub = hub
        self.modelRoot = modelRoot
        self.fault = fault
    }

    public init(source: ConfigurationSource) throws(ConfigurationError) {
        self.init(
            hub: try HubConfiguration(environment: source, clientID: "flotilla-aggregator"), modelRoot: try source.string(.modelRoot),
            fault: try FaultPlan(source: source)
        )
    }
}
