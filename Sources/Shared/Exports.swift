/// The Kafka layer's public API (producer, consumer, admin, records) is part of what every
/// service uses through Shared; librdkafka itself stays inside FlotillaKafka.
@_exported import FlotillaKafka
