import Foundation
import Shared

/// One task for a trainer program, as the trainer contract (docs/trainer-contract.md) hands it
/// over: the files it reads and writes, and the environment that names them.
struct TrainerTask: Sendable {
    enum Kind: String, Sendable { case train, evaluate }

    var kind: Kind
    var jobID: String
    var round: Int
    var cluster: String
    var partitionID: Int
    var partitionCount: Int
    var dataDirectory: URL
    var spec: TrainerSpec
    /// The job's workspace, kept across rounds; the task's files live in `round-<n>/`.
    var workDirectory: URL

    var taskDirectory: URL { workDirectory.appendingPathComponent("round-\(round)-\(kind.rawValue)", isDirectory: true) }
    var modelIn: URL { taskDirectory.appendingPathComponent("global.safetensors") }
    var modelOut: URL { taskDirectory.appendingPathComponent("update.safetensors") }
    var metricsOut: URL { taskDirectory.appendingPathComponent("metrics.json") }
    /// The trainer's stdout and stderr, kept on the cluster for a look after the round.
    var log: URL { workDirectory.appendingPathComponent("round-\(round)-\(kind.rawValue).log") }
    /// A `serve` session's log: every task of the job, each marked.
    var serveLog: URL { workDirectory.appendingPathComponent("serve.log") }

    /// The contract's variables, and only a few of the agent's own (never its broker
    /// credentials): a trainer is the job's code, not the agent's.
    var environment: [String: String] {
        let inherited = ProcessInfo.processInfo.environment.filter { Self.inheritedVariables.contains($0.key) }
        let config = (try? JSONCoding.encoder.encode(spec.config ?? [:])).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        var variables: [String: String] = [
            "FLOTILLA_TASK": kind.rawValue,
            "FLOTILLA_ROUND": String(round),
            "FLOTILLA_MODEL_IN": modelIn.path,
            "FLOTILLA_METRICS_OUT": metricsOut.path,
            "FLOTILLA_DATA_DIR": dataDirectory.path,
            "FLOTILLA_CONFIG": config,
            "FLOTILLA_CLUSTER": cluster,
            "FLOTILLA_PARTITION_ID": String(partitionID),
            "FLOTILLA_NUM_PARTITIONS": String(partitionCount),
            "FLOTILLA_WORK_DIR": workDirectory.path,
        ]
        if kind == .train { variables["FLOTILLA_MODEL_OUT"] = modelOut.path }
        return inherited.merging(variables) { _, contract in contract }
    }

    /// Also the thread settings of numeric libraries, so a cluster can size its trainers.
    static let inheritedVariables: Set<String> = [
        "PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "PYTHONPATH", "VIRTUAL_ENV", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
    ]
}
