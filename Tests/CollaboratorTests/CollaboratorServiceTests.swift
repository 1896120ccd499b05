import Foundation
import Learning
import Logging
import Testing
@testable import Collaborator
@testable import Shared

/// The agent's handling in process over the in-memory sink: for the rounds it consumes, it
/// trains on its own data and sends the update, evaluates after a round it contributed to,
/// refuses a data path outside its root with the reason, and trains a round only once.
@Suite struct CollaboratorServiceTests {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("collaborator-service-\(UUID().uuidString)")
    let sink = RecordingEventSink(source: "flotilla/collaborator/c1")
    let service: CollaboratorService
    static let architecture = ModelArchitecture.softmaxRegression(inputs: 4, classes: 3)

    init() throws {
        try LabeledImages.synthetic(count: 200, featureCount: 4, classes: 3, seed: 3).write(to: root.appendingPathComponent("data/c1"), split: .train)
        let configuration = CollaboratorConfiguration(
            hub: HubConfiguration(kafka: KafkaConfiguration(bootstrapServers: "unused:9092", clientID: "in-process"), topicPrefix: ""),
            registration: ClusterRegistration(name: "c1", resources: ClusterResources(cpuMillicores: 1000, memoryBytes: 1 << 30)),
            dataRoot: root.path, workRoot: root.appendingPathComponent("work")
        )
        service = CollaboratorService(configuration: configuration, sink: sink, logger: Logger(label: "test.collaborator"))
    }

    func consume(_ envelope: EventEnvelope) async throws {
        try await service.handle(ConsumedEvent(
            envelope: envelope, message: KafkaConsumerMessage(topic: envelope.type.topic.rawValue, partition: 0, offset: 0, value: []), topic: envelope.type.topic
        ))
    }

    func model(version: Int, seed: UInt64) async throws -> GlobalModelPublished {
        let model = GlobalModelPublished(jobID: "job-a", version: version, parameters: Self.architecture.initialParameters(seed: seed))
        try await consume(EncodedModel(model).envelope(source: "hub", id: "m\(version)"))
        return model
    }

    func started(_ round: Int, base: GlobalModelPublished, dataPath: String = "/data/c1") -> EventEnvelope {
        RoundStarted(
            jobID: "job-a", round: round, participants: [Participant(cluster: "c1", dataPath: dataPath), Participant(cluster: "c2", dataPath: "/data/c2")],
            baseVersion: base.version, baseModelSHA256: base.sha256, architecture: Self.architecture,
            training: TrainingConfiguration(epochs: 1, batchSize: 16, learningRate: 0.1), evaluateEvery: 1
        ).envelope(source: "hub", id: "s\(round)", time: .distantPast)
    }

    @Test func itTrainsOnceThenEvaluatesTheRoundItContributedTo() async throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let base = try await model(version: 0, seed: 1)
        try await consume(started(1, base: base))
        try await consume(started(1, base: base))  // a duplicate on the log
        let updates = try await sink.envelopes(of: .modelUpdateSubmitted).map { try ModelUpdateSubmitted(from: $0) }
        #expect(updates.count == 1)
        #expect(updates.first?.cluster == "c1" && updates.first?.examples == 180, "nine tenths of 200 examples: \(updates.map(\.examples))")
        #expect(updates.first?.baseModelSHA256 == base.sha256 && updates.first?.parameters != base.parameters)

        let next = try await model(version: 1, seed: 2)
        try await consume(RoundCompleted(
            jobID: "job-a", round: 1, contributions: [Contribution(cluster: "c1", examples: 180, loss: 0.5)], strategy: "fedAvg",
            modelVersion: 1, modelSHA256: next.sha256, modelPath: "/m", meanLoss: 0.5, totalExamples: 180
        ).envelope(source: "hub", id: "c1", time: .distantPast))
        let reports = try await sink.envelopes(of: .evaluationReported).map { try EvaluationReported(from: $0) }
        #expect(reports.map(\.round) == [1] && reports.first?.examples == 20, "the held-out tenth")
        #expect(Set(reports.first?.metrics.keys ?? [:].keys) == ["accuracy", "loss"])
    }

    @Test func aDataPathOutsideTheRootIsRefusedWithTheReason() async throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let base = try await model(version: 0, seed: 1)
        try await consume(started(1, base: base, dataPath: "/../outside-root"))
        let failures = try await sink.envelopes(of: .roundParticipationFailed).map { try RoundParticipationFailed(from: $0) }
        #expect(failures.count == 1 && failures.first?.reason.contains("data path refused") == true, "\(failures)")
        #expect(await sink.envelopes(of: .modelUpdateSubmitted).isEmpty)
    }
}
