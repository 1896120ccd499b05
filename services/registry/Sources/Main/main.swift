import Registry
import Shared

await ServiceMain.run(name: "registry") { source, logger in
    let configuration = try HubConfiguration(environment: source, clientID: "flotilla-registry")
    let (producer, publisher) = try EventPublisher.make(configuration: configuration, source: "flotilla/registry", logger: logger)
    let registry = RegistryService(configuration: configuration, publisher: publisher, logger: logger)
    return [producer, LogIdentityWatch(configuration: configuration.kafka, logger: logger), registry, registry.leaseMonitor(try LeaseSettings(source: source))]
}
