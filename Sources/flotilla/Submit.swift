import ArgumentParser
import Foundation
import Shared

struct Submit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Submit a FederatedLearning document (YAML or JSON).")

    @OptionGroup var api: APIOptions
    @Argument(help: "Path of the job document.") var file: String
    @Option(help: "Submit under this name instead of metadata.name.") var name: String?

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
        let body = try JSONCoding.encoder.encode(job)
        _ = try await api.client.post("v1/jobs", body: body, contentType: "application/json")
        Console.line("submitted job \(job.id)")
    }
}

struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print a job's status as JSON (GET /v1/jobs/{id}).")

    @OptionGroup var api: APIOptions
    @Argument(help: "The job's name.") var job: String

    func run() async throws {
        let data = try await api.client.get("v1/jobs/\(job)")
        let object = try JSONSerialization.jsonObject(with: data)
        let pretty = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        print(String(decoding: pretty, as: UTF8.self))
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
