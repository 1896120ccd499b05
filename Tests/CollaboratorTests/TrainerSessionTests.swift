import Foundation
import Learning
import Testing
@testable import Collaborator
@testable import Shared

/// `mode: serve`: one trainer process per job, kept across rounds and handed tasks as JSON
/// lines; a session that dies, overruns or fails is reported, and the next task still runs.
@Suite struct TrainerSessionTests {
    let root: URL
    let base = ModelArchitecture.softmaxRegression(inputs: 4, classes: 3).initialParameters(seed: 1)
    let trainer: CommandTrainer

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("flotilla-sessions-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        trainer = CommandTrainer(allowedPrograms: ["python3"], workRoot: root.appendingPathComponent("work"))
    }

    /// A serve-mode trainer in a few lines of Python: it copies the model, and on the round
    /// named in `behaviour` it dies, fails, or hangs.
    static let server = #"""
    import json, os, shutil, sys, time
    behaviour = json.loads(sys.argv[1])
    for line in sys.stdin:
        task = json.loads(line)
        rnd = task["round"]
        with open("pids", "a") as f: f.write(f"{os.getpid()}\n")
        what = behaviour.get(rnd)
        print(f"task {task['task']} round {rnd}", file=sys.stderr, flush=True)
        if what == "die": print("Segmentation fault (simulated)", file=sys.stderr, flush=True); os._exit(3)
        if what == "hang": time.sleep(60)
        if what == "fail": print(json.dumps({"ok": False, "error": "no data for this round"}), flush=True); continue
        shutil.copy(task["model_in"], task["model_out"])
        json.dump({"num-examples": 7, "loss": 0.5}, open(task["metrics_out"], "w"))
        print(json.dumps({"ok": True}), flush=True)
    """#

    func train(round: Int, behaviour: [String: String] = [:], timeout: Int? = nil) async -> String {
        let behaviourJSON = String(decoding: try! JSONEncoder().encode(behaviour), as: UTF8.self)
        let task = TrainerTask(
            kind: .train, jobID: "job-s", round: round, cluster: "c1", partitionID: 0, partitionCount: 1, dataDirectory: root,
            spec: TrainerSpec(command: ["python3", "-c", Self.server, behaviourJSON], timeoutSeconds: timeout, mode: .serve),
            workDirectory: trainer.workDirectory(for: "job-s")
        )
        do {
            let (update, metrics) = try await trainer.train(task, base: base)
            return update == base && metrics.examples == 7 ? "ok" : "wrong result"
        } catch {
            return error.description
        }
    }

    var pids: [String] {
        ((try? String(contentsOf: root.appendingPathComponent("work/job-s/pids"), encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    @Test func oneProcessServesEveryRound() async {
        for round in 1...3 { #expect(await train(round: round) == "ok") }
        #expect(pids.count == 3 && Set(pids).count == 1, "one process for three rounds: \(pids)")
        await trainer.sessions.stopAll()
    }

    @Test func aSessionThatDiesIsReportedAndReplaced() async {
        let behaviour = ["2": "die"]
        #expect(await train(round: 1, behaviour: behaviour) == "ok")
        let reason = await train(round: 2, behaviour: behaviour)
        #expect(reason.contains("the trainer process ended (status 3)"), "\(reason)")
        #expect(reason.contains("Segmentation fault (simulated)"), "\(reason)")
        #expect(await train(round: 3, behaviour: behaviour) == "ok")
        #expect(Set(pids).count == 2, "a fresh process after the death: \(pids)")
        await trainer.sessions.stopAll()
    }

    @Test func aFailedTaskKeepsTheSessionAndAHungOneIsStopped() async {
        let behaviour = ["2": "fail", "3": "hang"]
        #expect(await train(round: 1, behaviour: behaviour) == "ok")
        let failed = await train(round: 2, behaviour: behaviour)
        #expect(failed.contains("the trainer failed the task: no data for this round"), "\(failed)")
        let hung = await train(round: 3, behaviour: behaviour, timeout: 1)
        #expect(hung.contains("time limit"), "\(hung)")
        #expect(await train(round: 4, behaviour: behaviour) == "ok")
        #expect(Set(pids.prefix(3)).count == 1 && Set(pids).count == 2, "kept after a failed task, replaced after a hung one: \(pids)")
        await trainer.sessions.stopAll()
    }

    @Test func stoppingTheAgentStopsItsSessions() async throws {
        #expect(await train(round: 1) == "ok")
        let pid = try #require(pids.first.flatMap { Int32($0) })
        await trainer.sessions.stopAll()
        let deadline = ContinuousClock.now + .seconds(5)
        while kill(pid, 0) == 0 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        #expect(kill(pid, 0) != 0, "the session \(pid) outlived the agent")
    }
}
