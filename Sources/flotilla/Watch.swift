import ArgumentParser
import Foundation

struct Watch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Follow a job until it ends, printing phase, round, participants and loss.")

    @OptionGroup var api: APIOptions
    @Argument(help: "The job's name.") var job: String
    @Option(help: "Give up after this many seconds.") var timeout: Double = 1800
    @Option(help: "Seconds between polls.") var interval: Double = 0.5

    struct View: Decodable {
        struct Rounds: Decodable { var total: Int; var completed: Int; var current: Int }
        struct Round: Decodable {
            struct Participant: Decodable { var cluster: String }
            var round: Int
            var state: String
            var participants: [Participant]
            var updatesReceived: Int
            var meanLoss: Double?
        }
        var phase: String
        var message: String
        var rounds: Rounds
        var roundDetails: [Round]
    }

    func run() async throws {
        let client = try api.client
        let start = Date()
        var last = ""
        while Date().timeIntervalSince(start) < timeout {
            if let data = try? await client.get("v1/jobs/\(job)"), let view = try? JSONDecoder().decode(View.self, from: data) {
                let line = describe(view)
                if line != last {
                    Console.line(String(format: "[%6.1fs] ", Date().timeIntervalSince(start)) + line)
                    last = line
                }
                if view.phase == "Completed" { return }
                if view.phase == "Failed" { throw ExitCode(1) }
            }
            try await Task.sleep(for: .milliseconds(Int(interval * 1000)))
        }
        Console.line("gave up after \(Int(timeout)) s")
        throw ExitCode(2)
    }

    private func describe(_ view: View) -> String {
        var parts = [view.phase.padding(toLength: 9, withPad: " ", startingAt: 0)]
        if let round = view.roundDetails.last {
            parts.append("round \(round.round)/\(view.rounds.total)")
            parts.append("participants \(round.participants.map(\.cluster).joined(separator: ","))")
            parts.append("updates \(round.updatesReceived)/\(round.participants.count)")
            if let loss = view.roundDetails.last(where: { $0.meanLoss != nil })?.meanLoss { parts.append(String(format: "loss %.4f", loss)) }
        }
        parts.append("— \(view.message)")
        return parts.joined(separator: "  ")
    }
}
