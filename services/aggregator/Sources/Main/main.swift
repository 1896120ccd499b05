import Aggregator
import Shared

await ServiceMain.run(name: "aggregator") { source, logger in
    let configuration = try AggregatorConfiguration(source: source)
    return [LogIdentityWatch(configuration: configuration.hub.kafka, logger: logger)] + (try Aggregator.services(configuration: configuration, logger: logger))
}
