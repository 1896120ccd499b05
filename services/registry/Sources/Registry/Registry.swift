import FlotillaIdentity
import Foundation
import Logging
import ServiceLifecycle
import Shared

/// The registry's configuration: the hub (broker, topic prefix), the lease, and how agents are
/// authenticated.
public struct RegistryConfiguration: Sendable {
    public var hub: HubConfiguration
    public var lease: LeaseSettings
    public var authentication: ClusterGatekeeper.Mode
    /// Where the hub CA's key and certificate are kept (certificates mode).
    public var caDirectory: URL?
    public var certificateLifetime: TimeInterval

    public init(
        hub: HubConfiguration, lease: LeaseSettings = LeaseSettings(), authentication: ClusterGatekeeper.Mode = .open,
        caDirectory: URL? = nil, certificateLifetime: TimeInterval = 86_400
    ) {
        self.hub = hub
        self.lease = lease
        self.authentication = authentication
        self.caDirectory = caDirectory
        self.certificateLifetime = certificateLifetime
    }

    public init(source: ConfigurationSource) throws(ConfigurationError) {
        let modeText = try source.string(.clusterAuthentication)
        guard let mode = ClusterGatekeeper.Mode(rawValue: modeText) else {
            throw ConfigurationError(key: .clusterAuthentication, problem: "'\(modeText)' is not one of \(ClusterGatekeeper.Mode.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let directory = try source.string(.caDirectory)
        if mode == .certificates, directory.isEmpty {
            throw ConfigurationError(key: .caDirectory, problem: "is required when \(ConfigurationKey.clusterAuthentication.rawValue)=certificates")
        }
        self.init(
            hub: try HubConfiguration(environment: source, clientID: "flotilla-registry"), lease: try LeaseSettings(source: source),
            authentication: mode, caDirectory: directory.isEmpty ? nil : URL(fileURLWithPath: directory),
            certificateLifetime: TimeInterval(try source.int(.certificateLifetimeSeconds, in: 60...31_536_000))
        )
    }

    /// The mode, with the CA loaded (or created on first start) in certificates mode.
    public func identity() throws -> RegistryIdentity {
        guard authentication == .certificates, let caDirectory else { return .open }
        return RegistryIdentity(mode: .certificates, authority: try HubAuthority.loadOrCreate(directory: caDirectory), certificateLifetime: certificateLifetime)
    }
}

/// Builds the registry exactly as production runs it; the executable and the tests call this.
public enum Registry {
    /// The producer (first, so it stops last), the registry and its lease monitor.
    public static func services(configuration: RegistryConfiguration, logger: Logger) throws -> [any Service] {
        let (producer, publisher) = try EventPublisher.make(configuration: configuration.hub, source: "flotilla/registry", logger: logger)
        let registry = RegistryService(configuration: configuration.hub, publisher: publisher, lease: configuration.lease, identity: try configuration.identity(), logger: logger)
        return [producer, registry, registry.leaseMonitor]
    }
}
