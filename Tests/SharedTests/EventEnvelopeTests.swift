import Foundation
import Learning
import Testing
@testable import Shared

/// The CloudEvents Kafka binding and the payload codecs, without a broker: an envelope goes
/// out as a record and comes back as a consumed message.
@Suite struct EventEnvelopeTests {
    static func consumed(_ record: KafkaRecord, offset: Int64 = 7) -> KafkaConsumerMessage {
        KafkaConsumerMessage(topic: record.topic, partition: 1, offset: offset, key: record.key, value: record.value, headers: record.headers, timestamp: nil)
    }

    @Test func recordCarriesTheAttributesAsCEHeadersAndTheSubjectAsKey() throws {
        let change = JobPhaseChanged(jobID: "job-a", phase: .running, previous: .waiting, reason: "PlacementSatisfied", message: "ok")
        let envelope = change.envelope(source: "flotilla/test", id: "id-1", time: Date(timeIntervalSince1970: 1_700_000_000.123))
        let record = envelope.record(prefix: "ns")
        #expect(record.topic == "ns.flotilla.jobs")
        #expect(record.key == Array("job-a".utf8))
        let headers = Dictionary(uniqueKeysWithValues: record.headers.map { ($0.key, String(decoding: $0.value, as: UTF8.self)) })
        #expect(headers["ce_specversion"] == "1.0")
        #expect(headers["ce_id"] == "id-1")
        #expect(headers["ce_type"] == "io.flotilla.job.phase-changed")
        #expect(headers["ce_source"] == "flotilla/test")
        #expect(headers["ce_subject"] == "job-a")
        #expect(headers["ce_time"] == "2023-11-14T22:13:20.123Z")
        #expect(headers["content-type"] == "application/json")

        let back = try EventEnvelope(message: Self.consumed(record))
        #expect(back == envelope)
        #expect(try JobPhaseChanged(from: back) == change)
    }

    @Test func everyEventTypeHasOneTopic() {
        for type in EventType.allCases { #expect(Topic.allCases.contains(type.topic)) }
        #expect(Set(EventType.allCases.map(\.rawValue)).count == EventType.allCases.count)
        #expect(Topic.jobs.name(prefix: "") == "flotilla.jobs")
    }

    @Test(arguments: [
        ("ce_specversion", nil, "missing header ce_specversion"),
        ("ce_specversion", "0.3", "unsupported ce_specversion"),
        ("ce_type", "io.flotilla.nope", "unknown event type 'io.flotilla.nope'"),
        ("ce_time", "yesterday", "is not an RFC 3339 time"),
        ("ce_id", nil, "missing header ce_id"),
        ("ce_subject", nil, "missing header ce_subject"),
        ("ce_schemaversion", "zero", "is not a positive integer"),
        ("content-type", "text/plain", "unsupported content-type"),
    ] as [(String, String?, String)])
    func malformedHeadersAreNamedInTheError(header: String, value: String?, expected: String) throws {
        var record = ClusterHeartbeat(cluster: "c1").envelope(source: "t").record(prefix: "")
        record.headers.removeAll { $0.key == header }
        if let value { record.headers.append(KafkaHeader(key: header, value: Array(value.utf8))) }
        let error = try #require(throws: EventDecodingError.self) { try EventEnvelope(message: Self.consumed(record)) }
        #expect(error.reason.contains(expected), "\(error.reason)")
    }

    @Test func payloadErrorsNameTheFieldAndTheSubjectMustAgree() throws {
        var envelope = ClusterHeartbeat(cluster: "c1").envelope(source: "t")
        envelope.data = Array(#"{"cluster": 5}"#.utf8)
        let wrongType = try #require(throws: EventDecodingError.self) { try ClusterHeartbeat(from: envelope) }
        #expect(wrongType.reason.contains("cluster: expected String"))

        envelope.data = Array(#"{"cluster": "c2"}"#.utf8)
        let mismatch = try #require(throws: EventDecodingError.self) { try ClusterHeartbeat(from: envelope) }
        #expect(mismatch.reason.contains("does not match"))

        let other = try #require(throws: EventDecodingError.self) { try JobSubmitted(from: ClusterHeartbeat(cluster: "c1").envelope(source: "t")) }
        #expect(other.reason.contains("expected event type io.flotilla.job.submitted"))
    }

    static let parameters = ModelParameters(tensors: [
        Tensor(name: "dense.bias", shape: [2], values: [0.5, -1]),
        Tensor(name: "dense.weight", shape: [2, 3], values: [1, 2, 3, 4, 5, 6]),
    ])

    @Test func modelEventsTravelAsSafetensorsWithTheirFieldsInTheHeader() throws {
        let update = ModelUpdateSubmitted(jobID: "job-a", round: 3, cluster: "c1", examples: 120, loss: 0.25, baseModelSHA256: "abc", parameters: Self.parameters)
        let envelope = update.envelope(source: "t")
        #expect(envelope.contentType == .safetensors)
        #expect(try SafeTensors.metadata(of: envelope.data)["flotilla.round"] == "3")
        let back = try ModelUpdateSubmitted(from: try EventEnvelope(message: Self.consumed(envelope.record(prefix: ""))))
        #expect(back == update)

        let model = GlobalModelPublished(jobID: "job-a", version: 2, parameters: Self.parameters)
        #expect(try GlobalModelPublished(from: model.envelope(source: "t")) == model)
        #expect(model.sha256 == ModelDigest.sha256(of: Self.parameters))
    }

    @Test func modelEventsRejectMissingMetadataAndTamperedParameters() throws {
        var envelope = ModelUpdateSubmitted(jobID: "j", round: 1, cluster: "c1", examples: 1, loss: 0, baseModelSHA256: "x", parameters: Self.parameters).envelope(source: "t")
        envelope.data = SafeTensors.encode(Self.parameters, metadata: ["flotilla.job": "j", "flotilla.round": "one"])
        let error = try #require(throws: EventDecodingError.self) { try ModelUpdateSubmitted(from: envelope) }
        #expect(error.reason.contains("'flotilla.round' = 'one' is not an integer"))

        var tampered = Self.parameters
        tampered.tensors[0].values[0] = 99
        var model = GlobalModelPublished(jobID: "j", version: 1, parameters: Self.parameters).envelope(source: "t")
        model.data = SafeTensors.encode(tampered, metadata: GlobalModelPublished(jobID: "j", version: 1, parameters: Self.parameters).metadata)
        let mismatch = try #require(throws: EventDecodingError.self) { try GlobalModelPublished(from: model) }
        #expect(mismatch.reason.contains("sha256"))

        envelope.data = [1, 2, 3]
        let garbage = try #require(throws: EventDecodingError.self) { try ModelUpdateSubmitted(from: envelope) }
        #expect(garbage.reason.contains("not a valid safetensors file"))
    }
}

@Suite struct EventTimeParsingTests {
    @Test(arguments: ["2023-11-14T22:13:20.٣Z", "2023-11-14T22:13:20.Z", "2023-11-14T22:13:20.12aZ", "not a time"])
    func malformedTimesAreRefusedNotTrapped(_ text: String) {
        #expect(EventEnvelope.parseTime(text) == nil)
    }

    @Test func fractionsAndOffsetsAreRead() throws {
        let date = try #require(EventEnvelope.parseTime("2023-11-14T22:13:20.5Z"))
        #expect(EventEnvelope.formatTime(date) == "2023-11-14T22:13:20.500Z")
        #expect(EventEnvelope.parseTime("2023-11-14T23:13:20+01:00") == EventEnvelope.parseTime("2023-11-14T22:13:20Z"))
    }

    @Test func aNonFiniteNumberInAPayloadDoesNotStopPublishing() throws {
        let completed = RoundCompleted(jobID: "j", round: 1, contributions: [Contribution(cluster: "c", examples: 1, loss: .nan)], strategy: "fedAvg",
                                       modelVersion: 1, modelSHA256: "x", modelPath: "/p", meanLoss: .infinity, totalExamples: 1)
        let back = try RoundCompleted(from: completed.envelope(source: "t"))
        #expect(back.meanLoss == .infinity && back.contributions[0].loss.isNaN)
    }
}
