import Aggregator
import Shared

await ServiceMain.run(name: "aggregator") { source, logger in
    try Aggregator.services(configuration: try AggregatorConfiguration(source: source), logger: logger)
}
