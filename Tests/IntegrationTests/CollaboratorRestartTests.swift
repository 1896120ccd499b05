import Foundation
import Registry
import ServiceLifecycle
import Testing
@testable import Shared

/// A collaborator keeps state (each job's global model, the rounds announced, what it already
/// sent), so it rebuilds it from the log at start. The real agent, as a child process, kills
/// itself (SIGKILL) right after sending its round-2 update, before the round ends; started
/// again, it must evaluate round 2 (it contributed), train round 3 from the global model it
/// received before dying, and send nothing twice.
@Suite(.timeLimit(.minutes(4)))
struct CollaboratorRestartTests {
    static func agent(_ stack: TestStack, fault: String, run: Int) throws -> ServiceProcess {
        try ServiceProcess.start("flotilla-collaborator", settings: [
            .kafkaBootstrap: stack.hub.kafka.bootstrapServers, .topicPrefix: stack.hub.topicPrefix, .kafkaFetchWaitMilliseconds: "10",
            .modelChunkBytes: "1024", .clusterName: "c1", .clusterLabels: "site=s1",
            .clusterClaims: "federated-learning-sample.client-data=/data/private/c1", .clusterCPU: "2", .clusterMemory: "1Gi",
            .dataRoot: stack.root.path, .heartbeatSeconds: "1", .workRoot: stack.root.appendingPathComponent("work/c1").path,
            .logLevel: "info", .fault: fault,
        ], log: stack.root.appendingPathComponent("collaborator-c1-\(run).log"))
    }

    @Test func killedAfterSendingItsUpdateTheAgentEvaluatesTrainsOnAndSendsNothingTwice() async throws {
        let stack = try await TestStack.make(clusters: 2, label: "collaborator-restart")
        // A lease longer than the restart, so placement keeps the cluster through it.
        var services: [any Service] = try stack.hubServices(lease: LeaseSettings(duration: 60, checkInterval: 1))
        services += try stack.collaboratorServices(2)
        let (done, logs) = try await stack.running(services) {
            let first = try Self.agent(stack, fault: "update-sent:2", run: 1)
            _ = try await stack.waitFor("v1/clusters", as: ClusterList.self) { $0.items.filter { $0.state == "Registered" }.count == 2 }
            let document = TestStack.jobDocument(name: "restart", rounds: 3, minimum: 2, evaluation: "{everyRounds: 1}")
            #expect(try await stack.post("v1/jobs", body: document).0 == 202)
            let status = try await first.waitForExit(timeout: .seconds(120))
            #expect(first.process.terminationReason == .uncaughtSignal && status == SIGKILL, "it died at its fault point: \(first.logText.suffix(600))")
            let second = try Self.agent(stack, fault: "", run: 2)
            defer { Task { await second.stop() } }
            let done = try await stack.waitFor("v1/jobs/restart", as: JobView.self, timeout: .seconds(120)) { job in
                job.phase == "Completed" && job.roundDetails.count == 3 && job.roundDetails.allSatisfy { $0.evaluation?.clusters.count == 2 }
            }
            await second.stop()
            return (done, first.logText + second.logText)
        }
        for round in done.roundDetails {
            #expect(Set(round.contributions.map(\.cluster)) == ["c1", "c2"], "round \(round.round): \(round.contributions)")
            #expect((round.failures ?? []).isEmpty, "round \(round.round) failures: \(round.failures ?? [])")
            #expect((round.rejections ?? []).isEmpty, "nothing sent twice; round \(round.round) rejections: \(round.rejections ?? [])")
            #expect(Set(round.evaluation?.clusters.map(\.cluster) ?? []) == ["c1", "c2"], "round \(round.round) evaluated by both")
        }
        #expect(logs.contains("state rebuilt from the log"), "\(logs.suffix(1_000))")
    }
}
