import ArgumentParser
import Foundation
import Shared

struct Submit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Submit a FederatedLearning document (YAML or JSON).")

    @OptionGroup var api: APIOptions
    @Argument(help: "Path of the job document.") var file: String
    @Option(help: "Submit under this name instead of metadata.name.") var name: String?
    @Option(help: ArgumentHelp(
        "A trainer app directory (e.g. a Flower app): packed, uploaded to the hub by its sha256, and named in spec.client.trainer.app.",
        discussion: "Without a command in the document, the app runs as a Flower app (framework flower) through each cluster's Flower adapter; with one, '{app}' in the command stands for the unpacked directory."
    )) var app: String?
    @Option(help: ArgumentHelp(
        "A safetensors model (float32): uploaded to the hub by its sha256 and named in spec.server.initialModel, the global model round 1 starts from.",
        discussion: "With --app and a Flower app (no command), it defaults to the initial_arrays the app's ServerApp hands to its strategy (run through $FLOTILLA_FLOWER_ADAPTER)."
    )) var initialModel: String?

    func run() async throws {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
            throw ValidationError("cannot read job document '\(file)'")
        }
        var job: FederatedLearningJob
        do {
            // Fail fast, with the same messages the API gives; what the uploads fill in is checked after them.
            let filled: Set<String> = app != nil || initialModel != nil ? ["spec.server.initialModel"] : []
            job = try JobDocument.parse(text, fillingIn: filled)
        } catch {
            throw ValidationError("\(file) is not a valid FederatedLearning document:\n" + error.errors.map { "  - \($0)" }.joined(separator: "\n"))
        }
        if let name { job.metadata.name = name }
        if let app {
            let archive: [UInt8]
            do {
                archive = try AppArchive.pack(directory: URL(fileURLWithPath: app, isDirectory: true))
            } catch {
                throw ValidationError("cannot pack the app \(app): \(error)")
            }
            let digest = try await upload(archive, contentType: "application/x-tar")
            Console.line("uploaded app \(app) (\(archive.count) bytes) as \(digest)")
            var trainer = job.spec.client.trainer ?? TrainerSpec()
            trainer.app = digest
            job.spec.client.trainer = trainer
        }
        if let model = try startingModel(for: job) {
            let digest = try await upload(model.bytes, contentType: "application/octet-stream")
            Console.line("uploaded initial model \(model.origin) (\(model.bytes.count) bytes) as \(digest)")
            job.spec.server.initialModel = digest
        }
        if app != nil || initialModel != nil {
            do {
                try JobDocument.validate(job)
            } catch {
                throw ValidationError("with what was uploaded, \(file) is not valid:\n" + error.errors.map { "  - \($0)" }.joined(separator: "\n"))
            }
        }
        let body = try JSONCoding.encoder.encode(job)
        _ = try await api.client.post("v1/jobs", body: body, contentType: "application/json")
        Console.line("submitted job \(job.id)")
    }

    /// The file --initial-model names or, for a Flower app with no initial model named, what
    /// its ServerApp starts from; nil when the document already says where round 1 starts.
    private func startingModel(for job: FederatedLearningJob) throws -> (bytes: [UInt8], origin: String)? {
        if let initialModel { return (try InitialModelFile.read(initialModel), initialModel) }
        guard let app, job.spec.server.initialModel == nil, job.spec.framework == .flower, job.spec.client.trainer?.command == nil else { return nil }
        return (try InitialModelFile.fromServerApp(of: app, config: job.spec.client.trainer?.config ?? [:]), "from the ServerApp of \(app)")
    }

    /// Stores bytes on the hub under their sha256 (already there is fine) and returns the digest.
    private func upload(_ bytes: [UInt8], contentType: String) async throws -> String {
        let digest = AppArchive.digest(of: bytes)
        _ = try await api.client.post("v1/blobs/\(digest)", body: Data(bytes), contentType: contentType, method: "PUT")
        return digest
    }
}

struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print a job's status: the whole JSON of GET /v1/jobs/{id}, or a few lines with --summary.")

    @OptionGroup var api: APIOptions
    @Argument(help: "The job's name.") var job: String
    @Flag(help: "Phase, rounds, participants, timings and the latest model, in a few lines.") var summary = false

    func run() async throws {
        let data = try await api.client.get("v1/jobs/\(job)")
        if summary {
            Console.line(JobStatusSummary.lines(try JSONCoding.decoder.decode(JobStatusSummary.self, from: data)).joined(separator: "\n"))
            return
        }
        let object = try JSONSerialization.jsonObject(with: data)
        let pretty = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        print(String(decoding: pretty, as: UTF8.self))
    }
}

/// The few fields of a job's status a person reads first.
struct JobStatusSummary: Decodable {
    struct Rounds: Decodable { var total: Int; var completed: Int }
    struct Model: Decodable { var version: Int; var sha256: String; var path: String }
    struct Round: Decodable {
        struct Participant: Decodable { var cluster: String }
        struct Rejection: Decodable { var cluster: String; var reason: String }
        var participants: [Participant]
        var rejections: [Rejection]?
    }
    var id: String
    var phase: String
    var reason: String
    var message: String
    var rounds: Rounds
    var latestModel: Model?
    var submittedAt: Date
    var startedAt: Date?
    var finishedAt: Date?
    var roundDetails: [Round]

    static func lines(_ job: JobStatusSummary) -> [String] {
        var lines = ["job \(job.id): \(job.phase) (\(job.reason)) — \(job.message)"]
        lines.append("rounds: \(job.rounds.completed) of \(job.rounds.total) completed")
        let clusters = Set(job.roundDetails.flatMap { $0.participants.map(\.cluster) }).sorted()
        if !clusters.isEmpty { lines.append("clusters that took part: \(clusters.joined(separator: ", "))") }
        let rejections = job.roundDetails.flatMap { $0.rejections ?? [] }
        if !rejections.isEmpty { lines.append("updates rejected: \(rejections.count) (first: \(rejections[0].cluster): \(rejections[0].reason))") }
        if let started = job.startedAt {
            let end = job.finishedAt ?? Date()
            lines.append(String(format: "time: waited %.1f s for placement, trained for %.1f s", started.timeIntervalSince(job.submittedAt), end.timeIntervalSince(started)))
        }
        if let model = job.latestModel { lines.append("latest model: version \(model.version) at \(model.path) (sha256 \(model.sha256.prefix(16))…)") }
        return lines
    }
}

struct Config: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List every configuration variable with its default.")

    func run() {
        for key in ConfigurationKey.allCases {
            print("\(key.rawValue.padding(toLength: 36, withPad: " ", startingAt: 0)) \((key.defaultValue.map { "'\($0)'" } ?? "(required)").padding(toLength: 48, withPad: " ", startingAt: 0)) \(key.summary)")
        }
    }
}
