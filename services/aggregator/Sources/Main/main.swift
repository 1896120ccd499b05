import Aggregator
import Shared

await ServiceMain.run(name: "aggregator") { source, logger in
    let configuration = try AggregatorConfiguration(source: source)
    let (producer, publisher) = try EventPublisher.make(configuration: configuration.hub, source: "flotilla/aggregator", logger: logger)
    let aggregator = AggregatorService(configuration: configuration, publisher: publisher, logger: logger)
    return [producer, LogIdentityWatch(configuration: configuration.hub.kafka, logger: logger), aggregator, aggregator.deadlines]
}
