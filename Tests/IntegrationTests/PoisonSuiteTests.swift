import Foundation
import Registry
import ServiceLifecycle
import Testing
@testable import Shared

/// Issue 9's proof that nothing stalls a service: on one running stack, every kind of bad input
/// at once — at the front door (NUL, out-of-range numbers, a 50 MB body, a wrong media type,
/// five concurrent submissions of one name) and straight on the log (the same documents past
/// the door, a path out of the model root, a record that is no event, numbers PostgreSQL
/// refuses, a job naming a model the hub never had). Then a normal job completes and is
/// visible, `/readyz` is 200, each bad event is dead-lettered or refused with its reason, and
/// no file exists outside the roots.
@Suite(.timeLimit(.minutes(4)))
struct PoisonSuiteTests {
    @Test func everyBadInputAtOnceThenANormalJobCompletes() async throws {
        let stack = try await TestStack.make(clusters: 1, label: "poison-suite")
        let climbed = TestInfrastructure.uniqueName("climbed-")
        let outside = stack.root.deletingLastPathComponent().appendingPathComponent(climbed)
        defer { try? FileManager.default.removeItem(at: outside) }
        var services: [any Service] = try stack.hubServices(lease: LeaseSettings(duration: 60, checkInterval: 1))
        services += try stack.collaboratorServices(1)
        try await stack.running(services) {
            _ = try await stack.waitFor("v1/clusters", as: ClusterList.self) { $0.items.contains { $0.state == "Registered" } }
            let template = try JobDocument.parse(TestStack.jobDocument(name: "template", rounds: 1, minimum: 1))

            // The front door.
            var nulJob = template
            nulJob.metadata.name = "nul-door"
            nulJob.spec.client.image = "image\u{0}"
            #expect(try await stack.post("v1/jobs", body: String(decoding: try JSONCoding.encoder.encode(nulJob), as: UTF8.self)).0 == 422)
            #expect(try await stack.post("v1/jobs", body: TestStack.jobDocument(name: "huge-door", rounds: 1_000_000_000_000, minimum: 1)).0 == 422)
            let (tooLarge, _) = try await DatabaseOutageTests.send("POST", "v1/jobs", body: String(repeating: "a", count: 50 << 20), headers: ["Content-Type": "application/yaml"], stack: stack)
            #expect(tooLarge.statusCode == 413)
            let (wrongType, _) = try await DatabaseOutageTests.send(
                "POST", "v1/jobs", body: TestStack.jobDocument(name: "typed", rounds: 1, minimum: 1), headers: ["Content-Type": "text/plain"], stack: stack
            )
            #expect(wrongType.statusCode == 415)
            let raced = TestStack.jobDocument(name: "raced", rounds: 1, minimum: 1)
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<5 { group.addTask { try await stack.post("v1/jobs", body: raced).0 } }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.sorted() == [202, 409, 409, 409, 409], "\(statuses)")

            // Past the door, straight onto the log.
            var nul = template, huge = template, climbing = template, noModel = template
            nul.metadata.name = "nul-log"
            nul.spec.client.image = "image\u{0}"
            huge.metadata.name = "huge-log"
            huge.spec.server.rounds = 1_000_000_000_000
            climbing.metadata.name = "climbing"
            climbing.spec.server.storage.path = "/../../\(climbed)"
            noModel.metadata.name = "no-model"
            noModel.spec.server.initialModel = "sha256:" + String(repeating: "d", count: 64)
            try await ConsumedEventValidationTests.publish([nul, huge, climbing, noModel], on: stack)
            try await ProjectionPoisonTests.publish([RoundParticipationFailed(jobID: "raced", round: 1_000_000_000_000, cluster: "c1", reason: "too far")], stack: stack)
            let producer = try KafkaProducer(configuration: stack.hub.kafka, logger: stack.logger)
            for topic in [Topic.jobs, .rounds, .updates, .registrations] {
                _ = try await producer.send(KafkaRecord(topic: stack.hub.topic(topic), key: Array("garbage".utf8), value: Array("not an event \u{0}".utf8)))
            }
            await producer.shutdown()

            // A normal job still runs to the end and is visible.
            #expect(try await stack.post("v1/jobs", body: TestStack.jobDocument(name: "after-poison", rounds: 2, minimum: 1)).0 == 202)
            _ = try await stack.waitFor("v1/jobs/after-poison", as: JobView.self, timeout: .seconds(120)) { $0.phase == "Completed" }
            _ = try await stack.waitFor("readyz", as: [String: String].self) { $0["status"] == "ready" }
            let refusedModel = try await stack.waitFor("v1/jobs/no-model", as: JobView.self) { $0.phase == "Failed" }
            #expect(refusedModel.message.contains("is not on the hub"), "\(refusedModel.message)")

            let letters = try await stack.waitFor("v1/dead-letters", as: DeadLetters.self) { letters in
                let reasons = letters.items.map(\.reason).joined(separator: "\n")
                return ["nul-log", "huge-log", "climbing", "SQLSTATE 22003"].allSatisfy(reasons.contains) && Set(letters.items.filter { $0.reason.contains("missing header ce_specversion") }.map(\.originalTopic)).count == 4
            }
            for item in letters.items { #expect(!item.reason.isEmpty && !item.service.isEmpty, "every dead letter says who and why: \(item)") }
            for name in ["nul-door", "huge-door", "typed", "nul-log", "huge-log", "climbing"] {
                #expect(try await stack.get("v1/jobs/\(name)").0 == 404, "\(name) never became a job")
            }
            #expect(try await stack.get("v1/jobs/raced").0 == 200)
        }
        #expect(!FileManager.default.fileExists(atPath: outside.path), "nothing was written outside the model root")
        let root = stack.modelRoot.appendingPathComponent("data/models")
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: root.path)).isSubset(of: ["after-poison", "raced", "no-model"]))
    }
}
