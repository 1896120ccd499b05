import ArgumentParser
import Foundation
import Shared

struct Watch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Follow a job until it ends: phase, round, participants and loss; placement changes (who left, who joined, why); taints on its clusters; status API outages."
    )

    @OptionGroup var api: APIOptions
    @Argument(help: "The job's name.") var job: String
    @Option(help: "Give up after this many seconds.") var timeout: Double = 1800
    @Option(help: "Seconds between polls.") var interval: Double = 0.5
    /// While the status API cannot be reached, the outage is reported this often.
    static let outageReportSeconds = 5.0
    /// How long a completed job's last federated evaluation is waited for.
    static let evaluationWaitSeconds = 30.0

    func run() async throws {
        let client = try api.client
        let start = Date()
        var state = WatchState()
        var completedAt: Date?
        func say(_ line: String) { Console.line(String(format: "[%6.1fs] ", Date().timeIntervalSince(start)) + line) }
        while Date().timeIntervalSince(start) < timeout {
            do {
                let view = try JSONCoding.decoder.decode(JobWatchView.self, from: try await client.get("v1/jobs/\(job)"))
                if let since = state.unreachableSince {
                    say(String(format: "status API reachable again after %.1f s", Date().timeIntervalSince(since)))
                    state.unreachableSince = nil
                }
                let history = (try? JSONCoding.decoder.decode(PlacementHistoryView.self, from: try await client.get("v1/jobs/\(job)/placement/history")))?.items ?? []
                let clusters = (try? JSONCoding.decoder.decode(ClusterListView.self, from: try await client.get("v1/clusters")))?.items ?? []
                state.changes(view: view, history: history, clusters: clusters).forEach(say)
                if view.phase == "Completed" {
                    // The last round's evaluation arrives after the job completed: wait a little for it.
                    completedAt = completedAt ?? Date()
                    if !state.awaitsEvaluation(view) || Date().timeIntervalSince(completedAt ?? Date()) > Self.evaluationWaitSeconds { return }
                }
                if view.phase == "Failed" { throw ExitCode(1) }
            } catch let error as StatusClient.Problem where error.status == 404 && state.lastLine == nil {
                // Not projected yet (a submission is confirmed before the projection reads it).
            } catch let exit as ExitCode {
                throw exit
            } catch {
                let now = Date()
                if state.unreachableSince == nil {
                    state.unreachableSince = now
                    state.lastOutageReport = now
                    say("status API unreachable: \(error); retrying")
                } else if let last = state.lastOutageReport, now.timeIntervalSince(last) >= Self.outageReportSeconds, let since = state.unreachableSince {
                    state.lastOutageReport = now
                    say(String(format: "status API still unreachable (%.0f s): %@", now.timeIntervalSince(since), "\(error)"))
                }
            }
            try await Task.sleep(for: .milliseconds(Int(interval * 1000)))
        }
        Console.line("gave up after \(Int(timeout)) s")
        throw ExitCode(2)
    }
}
