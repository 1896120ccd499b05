import Testing
@testable import Shared

@Suite struct ConfigurationTests {
    @Test func defaultsWorkLocallyAndValuesAreRead() throws {
        let defaults = try HubConfiguration(environment: ConfigurationSource([:]), clientID: "x")
        #expect(defaults.kafka.bootstrapServers == "127.0.0.1:9092")
        #expect(defaults.topicPrefix == "")
        let set = try HubConfiguration(environment: ConfigurationSource([
            "FLOTILLA_KAFKA_BOOTSTRAP": "k:1", "FLOTILLA_TOPIC_PREFIX": "ns", "FLOTILLA_KAFKA_PROPERTIES": "security.protocol=ssl, ssl.ca.location=/ca.pem",
            "FLOTILLA_LOG_LEVEL": "DEBUG",
        ]), clientID: "x")
        #expect(set.kafka.bootstrapServers == "k:1")
        #expect(set.topic(.jobs) == "ns.flotilla.jobs")
        #expect(set.kafka.extraProperties == ["security.protocol": "ssl", "ssl.ca.location": "/ca.pem"])
        #expect(set.logLevel == .debug)
    }

    @Test(arguments: [
        ("FLOTILLA_KAFKA_FETCH_WAIT_MS", "soon"),
        ("FLOTILLA_KAFKA_PROPERTIES", "novalue"),
        ("FLOTILLA_LOG_LEVEL", "loud"),
        ("FLOTILLA_KAFKA_SESSION_TIMEOUT_MS", "5"),
    ])
    func badValuesNameTheirKey(key: String, value: String) {
        let error = #expect(throws: ConfigurationError.self) { try HubConfiguration(environment: ConfigurationSource([key: value]), clientID: "x") }
        #expect(error?.key.rawValue == key)
        #expect(error?.description.hasPrefix(key) == true)
    }
}
