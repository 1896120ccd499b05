import Collaborator
import Foundation
import Learning
import ServiceLifecycle
import Testing
@testable import Shared

/// Point 4 of issue 9: consumed events are not trusted. A job put on the topic directly (past
/// the front door) gets the door's rules, and no model file lands outside the model root; a
/// data path handed to a collaborator must resolve inside its data root.
@Suite(.timeLimit(.minutes(3)))
struct ConsumedEventValidationTests {
    struct DeadLetter { var service: String; var reason: String; var key: String }

    static func deadLetter(_ message: KafkaConsumerMessage) -> DeadLetter {
        func header(_ name: String) -> String {
            message.headers.first { $0.key == name }.map { String(decoding: $0.value, as: UTF8.self) } ?? ""
        }
        return DeadLetter(service: header(DeadLetterHeader.service), reason: header(DeadLetterHeader.reason), key: String(decoding: message.key ?? [], as: UTF8.self))
    }

    /// Reads `topic` from the beginning with one consumer until `done` says so, or fails after
    /// `timeout` (a consumer kept open: under load its first fetch can take seconds).
    static func follow(_ topic: Topic, on stack: TestStack, timeout: Duration = .seconds(90), until done: @escaping @Sendable ([KafkaConsumerMessage]) -> Bool) async throws {
        let consumer = try KafkaConsumer(
            configuration: stack.hub.kafka, groupID: TestInfrastructure.uniqueName("follower-"),
            subscription: .assignAll(topics: [stack.hub.topic(topic)], start: .beginning), logger: stack.logger
        )
        let finished = try? await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                var seen: [KafkaConsumerMessage] = []
                for try await message in consumer.messages where message.streamMarkerID == nil {
                    seen.append(message)
                    if done(seen) { return true }
                }
                return false
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return false
            }
            let first = try await group.next() ?? false
            group.cancelAll()
            return first
        }
        await consumer.close()
        if finished != true { Issue.record("\(topic) did not show what was awaited within \(timeout)") }
    }

    static func publish(_ jobs: [FederatedLearningJob], on stack: TestStack) async throws {
        let producer = try KafkaProducer(configuration: stack.hub.kafka, logger: stack.logger)
        for job in jobs {
            _ = try await producer.send(JobSubmitted(job: job).envelope(source: "test/past-the-door").record(prefix: stack.hub.topicPrefix))
        }
        await producer.shutdown()
    }

    static func waitUntil(_ what: String, timeout: Duration = .seconds(90), _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(500))
        }
        Issue.record("timed out waiting until \(what)")
        throw CancellationError()
    }

    @Test func aJobPastTheDoorCannotWriteOutsideTheModelRoot() async throws {
        let stack = try await TestStack.make(clusters: 1, label: "confine")
        let parent = stack.root.deletingLastPathComponent()
        let climbed = TestInfrastructure.uniqueName("climbed-")
        let linkedOutside = parent.appendingPathComponent(TestInfrastructure.uniqueName("linked-outside-"))
        try FileManager.default.createDirectory(at: linkedOutside, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: stack.modelRoot, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: stack.modelRoot.appendingPathComponent("linked"), withDestinationURL: linkedOutside)
        defer {
            try? FileManager.default.removeItem(at: linkedOutside)
            try? FileManager.default.removeItem(at: parent.appendingPathComponent(climbed))
        }

        let template = try JobDocument.parse(TestStack.jobDocument(name: "good-job", rounds: 1, minimum: 1))
        var dotDot = template, linked = template, nul = template
        dotDot.metadata.name = "dot-dot"
        dotDot.spec.server.storage.path = "/../../\(climbed)"  // modelRoot is <root>/storage: this is <root>/../<climbed>
        linked.metadata.name = "linked"
        linked.spec.server.storage.path = "/linked"
        nul.metadata.name = "nul-image"
        nul.spec.client.image = "client\u{0}"

        let services = try stack.hubServices(statusAPI: false) + stack.collaboratorServices(1)
        try await stack.running(services) {
            try await Self.publish([dotDot, linked, nul, template], on: stack)
            // The valid job runs to its model file: the pipeline worked through the bad ones.
            let goodModel = stack.modelRoot.appendingPathComponent("data/models/good-job/round-0001.safetensors")
            try await Self.waitUntil("the valid job's model is written") { FileManager.default.fileExists(atPath: goodModel.path) }
            let collected = RefusedJobs()
            try await Self.follow(.deadLetter, on: stack) { messages in
                let refused = Dictionary(messages.map(Self.deadLetter).filter { $0.service == "aggregator" }.map { ($0.key, $0.reason) }, uniquingKeysWith: { $1 })
                collected.set(refused)
                return Set(refused.keys).isSuperset(of: ["dot-dot", "linked", "nul-image"])
            }
            let refused = collected.value
            #expect(refused["dot-dot"]?.contains("spec.server.storage.path") == true, "\(refused)")
            #expect(refused["linked"]?.contains("outside the root") == true, "\(refused)")
            #expect(refused["nul-image"]?.contains("spec.client.image") == true, "\(refused)")
            #expect(refused["good-job"] == nil)
            // Placement applies the door's rules too: it never places a job the door would refuse.
            let placementRefused = RefusedJobs()
            try await Self.follow(.deadLetter, on: stack) { messages in
                let refused = Dictionary(messages.map(Self.deadLetter).filter { $0.service == "placement" }.map { ($0.key, $0.reason) }, uniquingKeysWith: { $1 })
                placementRefused.set(refused)
                return Set(refused.keys).isSuperset(of: ["dot-dot", "nul-image"])
            }
            #expect(placementRefused.value["nul-image"]?.contains("spec.client.image") == true, "\(placementRefused.value)")
            #expect(placementRefused.value["good-job"] == nil)
        }
        #expect(!FileManager.default.fileExists(atPath: parent.appendingPathComponent(climbed).path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: linkedOutside.path).isEmpty)
    }

    /// A link planted where a model file goes (the job's directory itself is inside the root,
    /// so the job was admitted): the write is refused and the job fails with the reason,
    /// instead of retrying for ever; the link's target is never written.
    @Test func aModelFileLinkedOutOfTheRootFailsTheJob() async throws {
        let stack = try await TestStack.make(clusters: 1, label: "latelink")
        let target = stack.root.deletingLastPathComponent().appendingPathComponent(TestInfrastructure.uniqueName("link-target-"))
        try Data("untouched".utf8).write(to: target)
        defer { try? FileManager.default.removeItem(at: target) }
        let directory = stack.modelRoot.appendingPathComponent("data/models/late-link")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: directory.appendingPathComponent("round-0001.safetensors"), withDestinationURL: target)
        try await stack.running(try stack.hubServices(statusAPI: false) + stack.collaboratorServices(1)) {
            try await Self.publish([try JobDocument.parse(TestStack.jobDocument(name: "late-link", rounds: 2, minimum: 1))], on: stack)
            var failed: JobPhaseChanged?
            try await Self.waitUntil("the job fails") {
                for message in try await EventLog.read(topics: [.jobs], stack: stack, idle: .seconds(1)) {
                    guard let event = try? ConsumedEvent(message: message, topicPrefix: stack.hub.topicPrefix), event.envelope.type == .jobPhaseChanged,
                          let change = try? event.payload(JobPhaseChanged.self), change.jobID == "late-link", change.phase == .failed else { continue }
                    failed = change
                }
                return failed != nil
            }
            #expect(failed?.reason == "ModelPathRefused")
            #expect(failed?.message.contains("outside the root") == true, "\(String(describing: failed))")
        }
        #expect(try String(contentsOf: target, encoding: .utf8) == "untouched")
    }

    @Test func aCollaboratorRefusesADataPathOutsideItsDataRoot() async throws {
        let stack = try await TestStack.make(clusters: 1, label: "dataroot")
        let outsideName = TestInfrastructure.uniqueName("outside-root-")
        let outside = stack.root.deletingLastPathComponent().appendingPathComponent(outsideName)
        try LabeledImages.synthetic(count: 100, featureCount: 16, classes: 4, seed: 3).write(to: outside, split: .train)
        defer { try? FileManager.default.removeItem(at: outside) }
        // The claim value is `/../<outside>`: what a registration put on the log directly could say.
        let configuration = CollaboratorConfiguration(
            hub: stack.hub,
            registration: ClusterRegistration(
                name: "c1", claims: ["federated-learning-sample.client-data": "/../\(outsideName)"],
                resources: ClusterResources(cpuMillicores: 2000, memoryBytes: 1 << 30)
            ),
            dataRoot: stack.root.path, heartbeatInterval: .seconds(1)
        )
        let (producer, agent) = try EventPublisher.make(configuration: stack.hub, source: "flotilla/collaborator/c1", logger: stack.logger)
        let collaborator: [any Service] = [
            producer,
            HeartbeatService(configuration: configuration, publisher: agent, logger: stack.logger),
            CollaboratorService(configuration: configuration, publisher: agent, logger: stack.logger),
        ]
        try await stack.running(try stack.hubServices(statusAPI: false) + collaborator) {
            try await Self.publish([try JobDocument.parse(TestStack.jobDocument(name: "outside-data", rounds: 1, minimum: 1))], on: stack)
            var failure: RoundParticipationFailed?
            var updates = 0
            try await Self.waitUntil("the collaborator reports the round failed") {
                for message in try await EventLog.read(topics: [.rounds, .updates], stack: stack, idle: .seconds(1)) {
                    guard let event = try? ConsumedEvent(message: message, topicPrefix: stack.hub.topicPrefix) else { continue }
                    if event.envelope.type == .modelUpdateSubmitted { updates += 1 }
                    if event.envelope.type == .roundParticipationFailed { failure = try event.payload(RoundParticipationFailed.self) }
                }
                return failure != nil || updates > 0
            }
            #expect(updates == 0, "the collaborator trained on data outside its root")
            #expect(failure?.cluster == "c1")
            #expect(failure?.reason.contains("data path refused") == true, "\(String(describing: failure))")
        }
    }
}

/// What a follower saw last, for the test to inspect afterwards.
final class RefusedJobs: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String: String] = [:]
    func set(_ value: [String: String]) { lock.withLock { stored = value } }
    var value: [String: String] { lock.withLock { stored } }
}
