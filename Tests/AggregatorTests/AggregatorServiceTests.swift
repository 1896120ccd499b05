import Foundation
import Learning
import Logging
import Testing
@testable import Aggregator
@testable import Shared

/// The aggregator service's handling in process, over its in-memory twins (a recording event
/// sink, model files in memory, blobs in memory): what it publishes and stores for the events
/// it consumes, in milliseconds and without a broker. The live tests run the same service on
/// the real broker.
@Suite struct AggregatorServiceTests {
    static let configuration = AggregatorConfiguration(
        hub: HubConfiguration(kafka: KafkaConfiguration(bootstrapServers: "unused:9092", clientID: "in-process"), topicPrefix: ""), modelRoot: "/models"
    )

    /// A job the door would admit (the service applies its rules to what it consumes).
    static func job(rounds: Int) -> JobSubmitted {
        var submitted = AggregationCoordinatorTests.job(rounds: rounds)
        submitted.job.spec.client.placement = AggregatorRecoveryTests.job(.fedAvg).job.spec.client.placement
        return submitted
    }

    struct Fixture {
        let sink = RecordingEventSink(source: "flotilla/aggregator")
        let files = InMemoryModelFiles()
        let service: AggregatorService

        init(blobs: [[UInt8]] = []) {
            service = AggregatorService(configuration: AggregatorServiceTests.configuration, sink: sink, files: files, blobs: InMemoryBlobs(blobs), logger: Logger(label: "test.aggregator"))
        }

        func consume(_ payload: some EventPayload) async throws {
            try await service.handle(Self.consumed(payload.envelope(source: "test", time: .distantPast)))
        }

        func consume(update: ModelUpdateSubmitted, id: String) async throws {
            try await service.handle(Self.consumed(update.envelope(source: "flotilla/collaborator/\(update.cluster)", id: id, time: .distantPast)))
        }

        static func consumed(_ envelope: EventEnvelope) -> ConsumedEvent {
            ConsumedEvent(envelope: envelope, message: KafkaConsumerMessage(topic: envelope.type.topic.rawValue, partition: 0, offset: 0, value: []), topic: envelope.type.topic)
        }

        func published<P: EventPayload>(_ type: P.Type) async throws -> [P] {
            try await sink.envelopes(of: P.eventType).map { try P(from: $0) }
        }
    }

    @Test func aJobRunsItsRoundsAndEveryModelIsPublishedAndStored() async throws {
        let fixture = Fixture()
        try await fixture.consume(Self.job(rounds: 2))
        try await fixture.consume(AggregationCoordinatorTests.placement(["c1", "c2"]))
        for round in 1...2 {
            let started = try #require(try await fixture.published(RoundStarted.self).last)
            #expect(started.round == round)
            for (index, cluster) in ["c1", "c2"].enumerated() {
                let update = AggregationCoordinatorTests.update(cluster, round: round, base: started.baseModelSHA256, value: Float(round + index), examples: 10 * (index + 1))
                try await fixture.consume(update: update, id: "u\(round)-\(cluster)")
            }
        }
        #expect(try await fixture.published(JobPhaseChanged.self).map(\.phase) == [.running, .completed])
        let completed = try await fixture.published(RoundCompleted.self)
        #expect(completed.map(\.round) == [1, 2])
        #expect(await fixture.sink.envelopes(of: .globalModelPublished).count == 3, "versions 0, 1 and 2")
        // Each round's file is the published model, under the job's storage path.
        let files = fixture.files.stored
        for round in completed {
            let file = try #require(files[round.modelPath])
            #expect(ModelDigest.sha256(file.bytes) == round.modelSHA256 && file.manifest.sha256 == round.modelSHA256)
        }
        // Round 1 averaged 1 and 2 weighted 10:20.
        let first = try SafeTensors.decode(try #require(files[completed[0].modelPath]).bytes).parameters
        #expect(first.tensors.allSatisfy { $0.values.allSatisfy { abs($0 - 5.0 / 3.0) < 1e-5 } })
    }

    @Test func aBadUpdateIsRejectedWithItsReasonAndChangesNothing() async throws {
        let fixture = Fixture()
        try await fixture.consume(Self.job(rounds: 1))
        try await fixture.consume(AggregationCoordinatorTests.placement(["c1", "c2"]))
        let started = try #require(try await fixture.published(RoundStarted.self).first)
        let good = AggregationCoordinatorTests.update("c1", base: started.baseModelSHA256, value: 1, examples: 10)
        try await fixture.consume(update: good, id: "u1")
        try await fixture.consume(update: good, id: "u1-again")
        try await fixture.consume(update: AggregationCoordinatorTests.update("c9", base: started.baseModelSHA256, value: 1, examples: 10), id: "stranger")
        let rejected = try await fixture.published(ModelUpdateRejected.self)
        #expect(rejected.map(\.updateEventID) == ["u1-again", "stranger"])
        #expect(rejected.map(\.reason) == ["duplicate update from 'c1' for round 1", "cluster 'c9' was not selected for round 1"])
        #expect(try await fixture.published(RoundCompleted.self).isEmpty && fixture.files.stored.isEmpty)
    }

    @Test func aJobStartsFromItsInitialModelOrFailsWithoutIt() async throws {
        let initial = ModelArchitecture.softmaxRegression(inputs: 4, classes: 3).initialParameters(seed: 77)  // the built-in layout, other values
        let bytes = SafeTensors.encode(initial)
        var submitted = Self.job(rounds: 1)
        submitted.job.spec.server.initialModel = AppArchive.digest(of: bytes)

        let present = Fixture(blobs: [bytes])
        try await present.consume(submitted)
        try await present.consume(AggregationCoordinatorTests.placement(["c1", "c2"]))
        let model = try #require(await present.sink.envelopes(of: .globalModelPublished).first)
        #expect(try GlobalModelPublished(from: model).parameters == initial)

        let absent = Fixture()
        try await absent.consume(submitted)
        let failed = try #require(try await absent.published(JobPhaseChanged.self).first)
        #expect(failed.phase == .failed && failed.reason == "InitialModelRefused" && failed.message.contains("is not on the hub"))
    }
}
