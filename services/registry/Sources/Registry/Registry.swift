import Logging
import ServiceLifecycle
import Shared

/// The registry's configuration: the hub (broker, topic prefix) and the lease.
public struct RegistryConfiguration: Sendable {
    public var hub: HubConfiguration
    public var lease: LeaseSettings

    public init(hub: HubConfiguration, lease: LeaseSettings = LeaseSettings()) {
        self.hub = hub
        self.lease = lease
    }

    public init(source: ConfigurationSource) throws(ConfigurationError) {
        self.init(hub: try HubConfiguration(environment: source, clientID: "flotilla-registry"), lease: try LeaseSettings(source: source))
    }
}

/// Builds the registry exactly as production runs it; the executable and the tests call this.
public enum Registry {
    /// The producer (first, so it stops last), the registry and its lease monitor.
    public static func services(configuration: RegistryConfiguration, logger: Logger) throws -> [any Service] {
        let (producer, publisher) = try EventPublisher.make(configuration: configuration.hub, source: "flotilla/registry", logger: logger)
        let registry = RegistryService(configuration: configuration.hub, publisher: publisher, lease: configuration.lease, logger: logger)
        return [producer, registry, registry.leaseMonitor]
    }
}
