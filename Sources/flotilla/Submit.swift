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

    func run() async throws {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
            throw ValidationError("cannot read job document '\(file)'")
        }
        var job: FederatedLearningJob
        do {
            job = try JobDocument.parse(text)  // fail fast, with the same messages the API gives
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
            let digest = AppArchive.digest(of: archive)
            _ = try await api.client.post("v1/blobs/\(digest)", body: Data(archive), contentType: "application/x-tar", method: "PUT")
            Console.line("uploaded app \(app) (\(archive.count) bytes) as \(digest)")
            var trainer = job.spec.client.trainer ?? TrainerSpec()
            trainer.app = digest
            job.spec.client.trainer = trainer
            do {
                try JobDocument.validate(job)
            } catch {
                throw ValidationError("with the app, \(file) is not valid:\n" + error.errors.map { "  - \($0)" }.joined(separator: "\n"))
            }
        }
        let body = try JSONCoding.encoder.encode(job)
        _ = try await api.client.post("v1/jobs", body: body, contentType: "application/json")
        Console.line("submitted job \(job.id)")
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
