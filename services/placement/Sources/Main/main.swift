import Placement
import Shared

await ServiceMain.run(name: "placement") { source, logger in
    try Placement.services(configuration: try HubConfiguration(environment: source, clientID: "flotilla-placement"), logger: logger)
}
