import Registry
import Shared

await ServiceMain.run(name: "registry") { source, logger in
    let configuration = try RegistryConfiguration(source: source)
    return [LogIdentityWatch(configuration: configuration.hub.kafka, logger: logger)] + (try Registry.services(configuration: configuration, logger: logger))
}
