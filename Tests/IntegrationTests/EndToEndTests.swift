import Foundation
import Learning
import Logging
import Testing
@testable import Shared

/// A small federated job end to end on the real broker and PostgreSQL: 2 clusters, 2 rounds.
@Suite(.timeLimit(.minutes(3)))
struct EndToEndTests {
    @Test func jobRunsToCompletedAndADuplicateEventChangesNothing() async throws {
        let stack = try await TestStack.make(clusters: 2, label: "e2e")
        try await stack.running(try stack.services(clusters: 2)) {
            // Both clusters registered before the job is submitted (placement re-decides anyway).
            _ = try await stack.waitFor("v1/clusters", as: ClusterList.self) { $0.items.filter { $0.state == "Registered" }.count == 2 }

            let (status, body) = try await stack.post("v1/jobs", body: TestStack.jobDocument(name: "e2e-job", rounds: 2, minimum: 2))
            #expect(status == 202, "\(String(decoding: body, as: UTF8.self))")

            // Topics are projected independently: wait for the phase, every round's updates and
            // every round's federated evaluation (the last one comes after the job completed).
            let job = try await stack.waitFor("v1/jobs/e2e-job", as: JobView.self) {
                $0.phase == "Completed" && $0.roundDetails.count == 2
                    && $0.roundDetails.allSatisfy { $0.updatesReceived == 2 && $0.state == "Completed" && $0.evaluation?.clusters.count == 2 }
            }
            #expect(job.rounds == .init(total: 2, completed: 2, current: 2))
            #expect(job.history.map(\.to) == ["Waiting", "Running", "Completed"])
            #expect(job.roundDetails.map(\.round) == [1, 2])
            for round in job.roundDetails {
                #expect(round.state == "Completed")
                #expect(Set(round.participants.map(\.cluster)) == ["c1", "c2"])
                #expect(Set(round.contributions.map(\.cluster)) == ["c1", "c2"])
                #expect(round.contributions.allSatisfy { $0.examples == 180 }, "each shard of 200 less the tenth held out for evaluation")
                #expect(round.updatesReceived == 2)
                #expect(round.participants.allSatisfy { $0.dataPath == "/data/private/\($0.cluster)" })
            }
            // The final model and its manifest are on disk under the storage path, and match the event.
            let final = try #require(job.latestModel)
            #expect(final.path == "/data/models/e2e-job/round-0002.safetensors")
            let bytes = try Data(contentsOf: stack.root.appendingPathComponent("storage").appendingPathComponent(final.path))
            #expect(ModelDigest.sha256(Array(bytes)) == final.sha256)
            let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: stack.root.appendingPathComponent("storage/data/models/e2e-job/round-0002.json"))) as? [String: Any]
            #expect(manifest?["sha256"] as? String == final.sha256)
            #expect(try SafeTensors.decode(Array(bytes)).parameters.allFinite)
            // The reference reader loads it too (scripts/setup installs Python's safetensors).
            let modelFile = stack.root.appendingPathComponent("storage").appendingPathComponent(final.path).path
            let python = try PythonCheck.run("""
                from safetensors.numpy import load_file
                from safetensors import safe_open
                tensors = load_file('\(modelFile)')
                meta = safe_open('\(modelFile)', framework='np').metadata()
                print(sorted((k, v.shape, str(v.dtype)) for k, v in tensors.items()), meta['flotilla.round'], meta['flotilla.strategy'])
                """)
            #expect(python.contains("('dense.weight', (4, 16), 'float32')") && python.contains("2 fedAvg"), "python said: \(python)")

            // Re-deliver every event of the job's history (same ids, new offsets), as a producer
            // retry or a replay would: the projection must not change.
            let before = try await stack.get("v1/jobs/e2e-job").1
            let replayed = try await EventLog.redeliver(topics: [.jobs, .placements, .rounds], stack: stack)
            #expect(replayed >= 8)
            try await EventLog.waitUntilProjected(stack: stack, topics: [.jobs, .placements, .rounds])
            let after = try await stack.get("v1/jobs/e2e-job").1
            #expect(try JSONCoding.decoder.decode(JobView.self, from: after) == JobView(from: before))
            #expect(after == before, "before: \(String(decoding: before, as: UTF8.self))\nafter:  \(String(decoding: after, as: UTF8.self))")
        }
    }

    @Test func malformedDocumentsAreRefusedNamingTheField() async throws {
        let stack = try await TestStack.make(clusters: 1, label: "bad-doc")
        try await stack.running([try stack.statusAPI()]) {
            _ = try await stack.waitFor("readyz", as: [String: String].self) { _ in true }
            let document = TestStack.jobDocument(name: "bad", rounds: 2, minimum: 1).replacingOccurrences(of: "rounds: 2", with: "rounds: -1")
            let (status, body) = try await stack.post("v1/jobs", body: document)
            #expect(status == 422)
            let problem = try JSONDecoder().decode(Problem.self, from: body)
            #expect(problem.errors?.contains { $0.field == "spec.server.rounds" } == true)
            let (unparsable, _) = try await stack.post("v1/jobs", body: "{{{ not yaml")
            #expect(unparsable == 422)
            let (missing, missingBody) = try await stack.get("v1/jobs/nope")
            #expect(missing == 404)
            #expect(try JSONDecoder().decode(Problem.self, from: missingBody).type.hasSuffix("not-found"))
        }
    }

    @Test func aMalformedEventIsDeadLetteredWithItsReasonAndServicesKeepRunning() async throws {
        let stack = try await TestStack.make(clusters: 1, label: "dlq")
        try await stack.running(try stack.services(clusters: 1)) {
            _ = try await stack.waitFor("v1/clusters", as: ClusterList.self) { $0.items.count == 1 }
            let producer = try KafkaProducer(configuration: stack.hub.kafka, logger: stack.logger)
            _ = try await producer.send(KafkaRecord(topic: stack.hub.topic(.jobs), key: Array("x".utf8), value: Array("garbage".utf8), headers: []))
            var envelope = JobPhaseChanged(jobID: "ghost", phase: .running, previous: .waiting, reason: "r", message: "m").envelope(source: "test")
            envelope.data = Array(#"{"jobID": 42}"#.utf8)
            _ = try await producer.send(envelope.record(prefix: stack.hub.topicPrefix))
            await producer.shutdown()

            let letters = try await stack.waitFor("v1/dead-letters", as: DeadLetters.self) { letters in
                Set(letters.items.map(\.service)).isSuperset(of: ["status-api", "placement", "aggregator"]) && letters.items.count >= 6
            }
            #expect(letters.items.contains { $0.reason.contains("missing header ce_specversion") })
            #expect(letters.items.contains { $0.reason.contains("jobID") })
            #expect(letters.items.allSatisfy { $0.originalTopic == stack.hub.topic(.jobs) })

            // Everything still works after the bad input: a job runs to completion.
            let (status, _) = try await stack.post("v1/jobs", body: TestStack.jobDocument(name: "after-dlq", rounds: 1, minimum: 1))
            #expect(status == 202)
            _ = try await stack.waitFor("v1/jobs/after-dlq", as: JobView.self) { $0.phase == "Completed" }
        }
    }
}

struct ClusterList: Decodable {
    struct Item: Decodable { var name: String; var state: String }
    var items: [Item]
}

extension JobView {
    init(from data: Data) throws { self = try JSONCoding.decoder.decode(JobView.self, from: data) }
}
