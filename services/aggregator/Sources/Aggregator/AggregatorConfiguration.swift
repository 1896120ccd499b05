import Shared

public struct AggregatorConfiguration: Sendable {
    public var hub: HubConfiguration
    /// Job storage paths are rooted here (in Kubernetes the model PVC mounts at `/`).
    public var modelRoot: String
    /// Where to SIGKILL itself, for crash-recovery tests (`FLOTILLA_FAULT`); none by default.
    public var fault: FaultPlan
    /// Bytes of accepted updates that may wait to be folded together (see `RoundAggregator`).
    public var pendingUpdateBytes: Int

    public init(hub: HubConfiguration, modelRoot: String, fault: FaultPlan = FaultPlan(), pendingUpdateBytes: Int = AggregationCoordinator.defaultPendingUpdateBytes) {
        self.hub = hub
        self.modelRoot = modelRoot
        self.fault = fault
        self.pendingUpdateBytes = pendingUpdateBytes
    }

    public init(source: ConfigurationSource) throws(ConfigurationError) {
        self.init(
            hub: try HubConfiguration(environment: source, clientID: "flotilla-aggregator"), modelRoot: try source.string(.modelRoot),
            fault: try FaultPlan(source: source), pendingUpdateBytes: try source.int(.pendingUpdateBytes, in: 0...(1 << 34))
        )
    }
}
