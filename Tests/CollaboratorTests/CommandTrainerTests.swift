import Foundation
import Learning
import Testing
@testable import Collaborator
@testable import Shared

/// A job's own trainer program, run for real (a shell script per case) over the trainer
/// contract: what it is handed, and every way it can fail becoming a reason, never an update.
@Suite struct CommandTrainerTests {
    let root: URL
    let base: ModelParameters

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("flotilla-command-trainer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("data"), withIntermediateDirectories: true)
        base = ModelArchitecture.softmaxRegression(inputs: 4, classes: 3).initialParameters(seed: 1)
    }

    /// Runs `script` (sh) as the trainer of round 2 of job `job-a` and returns what came back.
    func train(_ script: String, allowed: Set<String> = ["sh"], timeout: Int? = nil) async throws(TrainerFailure) -> (ModelParameters, TrainerOutput.Metrics) {
        let trainer = CommandTrainer(allowedPrograms: allowed, workRoot: root.appendingPathComponent("work"))
        let task = TrainerTask(
            kind: .train, jobID: "job-a", round: 2, cluster: "c2", partitionID: 1, partitionCount: 3,
            dataDirectory: root.appendingPathComponent("data"),
            spec: TrainerSpec(command: ["sh", "-c", script], config: ["learning-rate": .double(0.05), "mode": .string("fast")], timeoutSeconds: timeout),
            workDirectory: trainer.workDirectory(for: "job-a")
        )
        return try await trainer.train(task, base: base)
    }

    func failure(_ script: String, allowed: Set<String> = ["sh"], timeout: Int? = nil) async -> String {
        do {
            _ = try await train(script, allowed: allowed, timeout: timeout)
            return "no failure"
        } catch {
            return error.description
        }
    }

    static let copyModel = #"cp "$FLOTILLA_MODEL_IN" "$FLOTILLA_MODEL_OUT""#
    static let goodMetrics = #"echo '{"num-examples": 12, "loss": 0.25, "accuracy": 0.5}' > "$FLOTILLA_METRICS_OUT""#

    @Test func aTrainerReadsTheContractAndItsUpdateComesBack() async throws {
        let script = """
        \(Self.copyModel)
        \(Self.goodMetrics)
        env | grep -E '^(FLOTILLA_|SECRET_)' | sort > "$FLOTILLA_WORK_DIR/seen.env"
        """
        setenv("SECRET_BROKER_PASSWORD", "hunter2", 1)
        let (update, metrics) = try await train(script)
        #expect(update == base)
        #expect(metrics == TrainerOutput.Metrics(examples: 12, values: ["loss": 0.25, "accuracy": 0.5]))
        let seen = try String(contentsOf: root.appendingPathComponent("work/job-a/seen.env"), encoding: .utf8)
        #expect(seen.contains("FLOTILLA_TASK=train\n"))
        #expect(seen.contains("FLOTILLA_ROUND=2\n"))
        #expect(seen.contains("FLOTILLA_CLUSTER=c2\n"))
        #expect(seen.contains("FLOTILLA_PARTITION_ID=1\nFLOTILLA_NUM_PARTITIONS=3\n") || (seen.contains("FLOTILLA_PARTITION_ID=1\n") && seen.contains("FLOTILLA_NUM_PARTITIONS=3\n")))
        #expect(seen.contains("FLOTILLA_DATA_DIR=\(root.appendingPathComponent("data").path)\n"))
        #expect(seen.contains(#"FLOTILLA_CONFIG={"learning-rate":0.05,"mode":"fast"}"#))
        #expect(!seen.contains("SECRET_"), "the agent's own environment leaked into the trainer: \(seen)")
        #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent("work/job-a/round-2-train.log").path))
    }

    @Test func aNonZeroExitIsQuotedFromStderr() async {
        let reason = await failure("echo 'loading data' ; echo 'Traceback: ValueError: shapes (10,) and (784,)' >&2; exit 3")
        #expect(reason.contains("exited with status 3"), "\(reason)")
        #expect(reason.contains("ValueError: shapes (10,) and (784,)"), "\(reason)")
    }

    @Test func aTrainerPastItsTimeLimitIsStopped() async {
        let started = ContinuousClock.now
        let reason = await failure("echo started; exec sleep 60", timeout: 1)
        #expect(reason.contains("time limit of 1"), "\(reason)")
        #expect(ContinuousClock.now - started < .seconds(20), "the trainer was not stopped")
    }

    @Test func aTrainerWritingWithoutEndIsStopped() async {
        let reason = await failure("exec yes 'noise noise noise noise'")
        #expect(reason.contains("more than 16 MiB of output"), "\(reason)")
    }

    @Test func missingOrBadOutputIsNamed() async {
        #expect(await failure(Self.goodMetrics).contains("wrote no update"))
        #expect(await failure(Self.copyModel).contains("wrote no metrics file"))
        #expect(await failure("\(Self.copyModel); echo 'not json' > \"$FLOTILLA_METRICS_OUT\"").contains("not a JSON object"))
        #expect(await failure(#"\#(Self.copyModel); echo '{"loss": 1}' > "$FLOTILLA_METRICS_OUT""#).contains("no num-examples"))
        #expect(await failure(#"\#(Self.copyModel); echo '{"num-examples": 0, "loss": 1}' > "$FLOTILLA_METRICS_OUT""#).contains("num-examples is 0"))
        #expect(await failure(#"\#(Self.copyModel); echo '{"num-examples": 2.5, "loss": 1}' > "$FLOTILLA_METRICS_OUT""#).contains("non-negative integer"))
        #expect(await failure(#"\#(Self.copyModel); echo '{"num-examples": 2, "loss": true}' > "$FLOTILLA_METRICS_OUT""#).contains("loss is not a number"))
        #expect(await failure(#"\#(Self.copyModel); echo '{"num-examples": 2, "acc": 1}' > "$FLOTILLA_METRICS_OUT""#).contains("no training loss"))
        #expect(await failure(#"\#(Self.copyModel); echo '{"num-examples": 2, "loss": 1, "bad name!": 1}' > "$FLOTILLA_METRICS_OUT""#).contains("may contain only"))
        #expect(await failure("echo garbage > \"$FLOTILLA_MODEL_OUT\"; \(Self.goodMetrics)").contains("not a valid safetensors file"))
    }

    @Test func anUpdateThatIsNotTheModelIsRefused() async throws {
        var renamed = base
        renamed.tensors[0].name = "other.bias"
        var nan = base
        nan.tensors[1].values[0] = .nan
        var reshaped = base
        reshaped.tensors[1].shape = [4, 3]
        for (model, expected) in [(renamed.sortedByName(), "differ from the global model's"), (nan, "NaN or infinity in tensor dense.weight"), (reshaped, "differ from the global model's")] {
            let file = root.appendingPathComponent("prepared-\(UUID().uuidString).safetensors")
            try Data(SafeTensors.encode(model)).write(to: file)
            let reason = await failure("cp '\(file.path)' \"$FLOTILLA_MODEL_OUT\"; \(Self.goodMetrics)")
            #expect(reason.contains(expected), "\(reason)")
        }
    }

    @Test func onlyProgramsTheClusterAllowsRun() async {
        let reason = await failure("\(Self.copyModel); \(Self.goodMetrics)", allowed: ["python3"])
        #expect(reason.contains("does not run sh; programs allowed here: python3"), "\(reason)")
        let none = await failure("true", allowed: [])
        #expect(none.contains("FLOTILLA_TRAINER_PROGRAMS is empty"), "\(none)")
    }

    @Test func stoppingTheAgentStopsItsTrainer() async throws {
        let pidFile = root.appendingPathComponent("trainer.pid")
        let running = Task { await failure("echo $$ > '\(pidFile.path)'; exec sleep 60") }
        while !FileManager.default.fileExists(atPath: pidFile.path) { try await Task.sleep(for: .milliseconds(50)) }
        try await Task.sleep(for: .milliseconds(100))
        running.cancel()
        let reason = await running.value
        #expect(reason.contains("the agent stopped while the trainer ran"), "\(reason)")
        let pid = try #require(Int32(String(contentsOf: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(kill(pid, 0) != 0, "the trainer \(pid) outlived the agent's task")
    }
}
