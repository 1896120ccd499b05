import Logging
import ServiceLifecycle
import Shared

/// Builds the aggregator exactly as production runs it; the executable and the tests call this.
public enum Aggregator {
    /// The producer (first, so it stops last), the aggregator and its round-deadline clock.
    public static func services(configuration: AggregatorConfiguration, logger: Logger) throws -> [any Service] {
        let (producer, publisher) = try EventPublisher.make(configuration: configuration.hub, source: "flotilla/aggregator", logger: logger)
        let aggregator = AggregatorService(configuration: configuration, publisher: publisher, logger: logger)
        return [producer, aggregator, aggregator.deadlines]
    }
}
