import Aggregator
import Shared

await ServiceMain.run(name: "aggregator") { source, logger in
    let configuration = try AggregatorConfiguration(source: source)
    let producer = try KafkaProducer(configuration: configuration.hub.kafka, logger: logger)
    let publisher = EventPublisher(producer: producer, topicPrefix: configuration.hub.topicPrefix, source: "flotilla/aggregator")
    return [producer, AggregatorService(configuration: configuration, publisher: publisher, logger: logger)]
}
