import Placement
import Shared

await ServiceMain.run(name: "placement") { source, logger in
    let configuration = try HubConfiguration(environment: source, clientID: "flotilla-placement")
    let (producer, publisher) = try EventPublisher.make(configuration: configuration, source: "flotilla/placement", logger: logger)
    let placement = PlacementService(configuration: configuration, publisher: publisher, logger: logger)
    return [producer, LogIdentityWatch(configuration: configuration.kafka, logger: logger), placement, placement.ticker]
}
