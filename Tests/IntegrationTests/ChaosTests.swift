import Foundation
import Testing
@testable import Shared

/// The whole stack as real processes. During one long job, placement, the registry, the status
/// API and the aggregator are each SIGKILLed and started again, in turn; then a selected
/// collaborator dies for good and the restarted placement must replace it; then a second job
/// is submitted. Both jobs complete, and every round of both is counted exactly once.
@Suite(.timeLimit(.minutes(6)))
struct ChaosTests {
    static let hub = ["flotilla-placement", "flotilla-registry", "flotilla-status-api", "flotilla-aggregator"]

    @Test func everyHubServiceKilledInTurnThenACollaboratorLostForGood() async throws {
        let stack = try await TestStack.make(clusters: 4, label: "chaos")
        var processes = ChaosProcesses(stack: stack)
        defer { processes.killAll() }
        for product in Self.hub { try processes.start(product) }
        for index in 1...4 { try processes.startCollaborator(index) }
        do {
            try await run(stack, &processes)
        } catch {
            Issue.record("logs:\n\(processes.tails())")
            throw error
        }
    }

    private func run(_ stack: TestStack, _ processes: inout ChaosProcesses) async throws {
        _ = try await stack.waitFor("v1/clusters", as: ClusterList.self, timeout: .seconds(60)) { $0.items.filter { $0.state == "Registered" }.count == 4 }
        let long = TestStack.jobDocument(name: "chaos-long", rounds: 150, minimum: 2, numberOfClusters: 2)
        #expect(try await stack.post("v1/jobs", body: long).0 == 202)
        var progress = try await stack.waitFor("v1/jobs/chaos-long", as: JobView.self) { $0.rounds.completed >= 3 }

        for product in Self.hub {
            try await processes.kill(product)
            try processes.start(product)
            // The job moves on after each restart (the status API answers again, rounds complete).
            let before = progress.rounds.completed
            progress = try await stack.waitFor("v1/jobs/chaos-long", as: JobView.self, timeout: .seconds(60)) { $0.rounds.completed >= before + 3 || $0.phase != "Running" }
            #expect(progress.phase == "Running", "after \(product) was killed: \(progress)")
        }

        // A selected collaborator dies for good: the restarted placement replaces it.
        let selected = progress.roundDetails.last?.participants.map(\.cluster) ?? []
        let victim = try #require(selected.sorted().first, "no participants in \(progress)")
        try await processes.kill("flotilla-collaborator-\(victim)")
        let replaced = try await stack.waitFor("v1/jobs/chaos-long", as: JobView.self, timeout: .seconds(90)) { view in
            view.phase != "Running" || view.roundDetails.last.map { round in round.contributions.count == 2 && !round.participants.contains { $0.cluster == victim } } == true
        }
        #expect(replaced.phase == "Running", "\(replaced)")

        let short = TestStack.jobDocument(name: "chaos-short", rounds: 10, minimum: 2, numberOfClusters: 2)
        #expect(try await stack.post("v1/jobs", body: short).0 == 202)
        for (job, rounds) in [("chaos-long", 150), ("chaos-short", 10)] {
            let done = try await stack.waitFor("v1/jobs/\(job)", as: JobView.self, timeout: .seconds(180)) { $0.phase != "Running" && $0.phase != "Waiting" }
            #expect(done.phase == "Completed" && done.rounds.completed == rounds, "\(done)")
            #expect(!(done.roundDetails.last?.participants.contains { $0.cluster == victim } ?? true), "\(job) ended without \(victim)")
        }
        try await checkEveryRoundCountedOnce(stack, jobs: ["chaos-long": 150, "chaos-short": 10])
    }

    /// On the log: each round of each job completed once (a decision republished after a crash
    /// has the same id), and no update counted in two rounds or twice in one.
    private func checkEveryRoundCountedOnce(_ stack: TestStack, jobs: [String: Int]) async throws {
        let events = try await CrashRecoveryTests.distinctEvents(stack, topics: [.rounds])
        let completed = try events.filter { $0.type == .roundCompleted }.map { try RoundCompleted(from: $0) }
        for (job, rounds) in jobs {
            let mine = completed.filter { $0.jobID == job }
            #expect(mine.map(\.round).sorted() == Array(1...rounds), "\(job): rounds completed \(mine.map(\.round).sorted())")
            let counted = mine.flatMap { $0.contributions.compactMap(\.updateEventID) }
            #expect(Set(counted).count == counted.count, "\(job): an update was counted twice")
        }
    }
}

/// The processes of one chaos run, by name, so each can be killed and started again.
struct ChaosProcesses {
    let stack: TestStack
    private(set) var running: [String: ServiceProcess] = [:]
    private var starts = 0

    init(stack: TestStack) { self.stack = stack }

    var common: [ConfigurationKey: String] {
        [
            .kafkaBootstrap: stack.hub.kafka.bootstrapServers, .topicPrefix: stack.hub.topicPrefix, .kafkaFetchWaitMilliseconds: "10",
            .kafkaSessionTimeoutMilliseconds: "2000", .modelChunkBytes: "1024", .logLevel: "info",
        ]
    }

    mutating func start(_ product: String) throws {
        var settings = common
        settings[.modelRoot] = stack.modelRoot.path
        settings[.databaseURL] = stack.database.description
        settings[.httpPort] = String(stack.port)
        settings[.leaseSeconds] = "3"
        try launch(product, as: product, settings: settings)
    }

    mutating func startCollaborator(_ index: Int) throws {
        var settings = common
        settings[.clusterName] = "c\(index)"
        settings[.clusterLabels] = "site=s\(index)"
        settings[.clusterClaims] = "federated-learning-sample.client-data=/data/private/c\(index)"
        settings[.dataRoot] = stack.root.path
        settings[.heartbeatSeconds] = "1"
        try launch("flotilla-collaborator", as: "flotilla-collaborator-c\(index)", settings: settings)
    }

    private mutating func launch(_ product: String, as name: String, settings: [ConfigurationKey: String]) throws {
        starts += 1
        running[name] = try ServiceProcess.start(product, settings: settings, log: stack.root.appendingPathComponent("logs/\(name)-\(starts).log"))
    }

    mutating func kill(_ name: String) async throws {
        let removed = running.removeValue(forKey: name)
        let process = try #require(removed, "no process named \(name)")
        Foundation.kill(process.process.processIdentifier, SIGKILL)
        try await process.waitForExit()
    }

    func killAll() {
        for process in running.values where process.process.isRunning { Foundation.kill(process.process.processIdentifier, SIGKILL) }
    }

    /// The last lines of every log, for a failure report.
    func tails() -> String {
        let logs = (try? FileManager.default.contentsOfDirectory(at: stack.root.appendingPathComponent("logs"), includingPropertiesForKeys: nil)) ?? []
        return logs.sorted { $0.path < $1.path }.map { url in
            let lines = ((try? String(contentsOf: url, encoding: .utf8)) ?? "").split(separator: "\n").suffix(15)
            return "== \(url.lastPathComponent)\n" + lines.joined(separator: "\n")
        }.joined(separator: "\n")
    }
}
