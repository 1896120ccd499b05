import Registry
import Shared

await ServiceMain.run(name: "registry") { source, logger in
    try Registry.services(configuration: try RegistryConfiguration(source: source), logger: logger)
}
