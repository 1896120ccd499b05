import Registry
import Shared

await ServiceMain.run(name: "registry") { source, logger in
    let configuration = try HubConfiguration(environment: source, clientID: "flotilla-registry")
    let (producer, publisher) = try EventPublisher.make(configuration: configuration, source: "flotilla/registry", logger: logger)
    let registry = RegistryService(configuration: configuration, publisher: publisher, lease: try LeaseSettings(source: source), logger: logger)
    return [producer, registry, registry.leaseMonitor]
}
