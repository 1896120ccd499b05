import Logging
import ServiceLifecycle
import Shared

/// Builds placement exactly as production runs it; the executable and the tests call this.
public enum Placement {
    /// The producer (first, so it stops last), the placement service and its ticker.
    public static func services(configuration: HubConfiguration, logger: Logger) throws -> [any Service] {
        let (producer, publisher) = try EventPublisher.make(configuration: configuration, source: "flotilla/placement", logger: logger)
        let placement = PlacementService(configuration: configuration, publisher: publisher, logger: logger)
        return [producer, placement, placement.ticker]
    }
}
