import Placement
import Shared

await ServiceMain.run(name: "placement") { source, logger in
    let configuration = try HubConfiguration(environment: source, clientID: "flotilla-placement")
    return [LogIdentityWatch(configuration: configuration.kafka, logger: logger)] + (try Placement.services(configuration: configuration, logger: logger))
}
