/// A service imports only `Shared`: the contracts (domain, events, topics) and the Kafka
/// layer's public API come with it; librdkafka itself stays inside FlotillaKafka.
@_exported import FlotillaContracts
@_exported import FlotillaKafka
