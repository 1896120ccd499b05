import Foundation
import Shared

/// What `flotilla watch` has printed so far, so each poll prints only what changed: the job's
/// line, each new placement decision (who joined, who left and why), and taints added to or
/// lifted from the clusters the job uses.
struct WatchState {
    var lastLine: String?
    var placementGeneration = 0
    var taints: [String: Set<String>] = [:]
    var unreachableSince: Date?
    var lastOutageReport: Date?
    var evaluatedRounds: Set<Int> = []

    mutating func changes(view: JobWatchView, history: [PlacementHistoryView.Entry], clusters: [ClusterListView.Item]) -> [String] {
        var lines: [String] = []
        for entry in history where entry.generation > placementGeneration {
            placementGeneration = entry.generation
            guard entry.generation > 1 else { continue }  // the first decision is in the job's line
            var parts = ["placement \(entry.generation):"]
            if !entry.joined.isEmpty { parts.append("joined \(entry.joined.joined(separator: ", "))") }
            for departure in entry.departed {
                parts.append("\(departure.cluster) left (\(departure.filteredBy.map { "\($0): " } ?? "")\(departure.reason))")
            }
            if entry.joined.isEmpty && entry.departed.isEmpty { parts.append(entry.message) }
            lines.append(parts.joined(separator: " "))
        }
        let involved = Set(history.flatMap(\.selected) + history.flatMap { $0.departed.map(\.cluster) })
        for cluster in clusters where involved.contains(cluster.name) {
            let now = Set((cluster.cluster?.taints ?? []).map(\.key))
            let before = taints[cluster.name] ?? []
            for taint in (cluster.cluster?.taints ?? []) where !before.contains(taint.key) {
                lines.append("cluster \(cluster.name) tainted \(taint.key) (\(taint.effect)) at \(Self.time(taint.timeAdded))")
            }
            for key in before.subtracting(now).sorted() { lines.append("cluster \(cluster.name): taint \(key) lifted") }
            if cluster.state != "Registered" && before != ["(\(cluster.state))"] {
                lines.append("cluster \(cluster.name) \(cluster.state.lowercased())\(cluster.reason.isEmpty ? "" : ": \(cluster.reason)")")
                taints[cluster.name] = ["(\(cluster.state))"]
                continue
            }
            taints[cluster.name] = now
        }
        let line = Self.describe(view)
        if line != lastLine {
            lines.append(line)
            lastLine = line
        }
        // A round's federated evaluation, once every contributor has reported it.
        for round in view.roundDetails where !evaluatedRounds.contains(round.round) {
            guard let evaluation = round.evaluation, evaluation.clusters.count >= round.contributions.count else { continue }
            evaluatedRounds.insert(round.round)
            lines.append(Self.describe(evaluation, round: round.round))
        }
        return lines
    }

    /// True while the job's last round should still be evaluated (its reports come after the
    /// round, so after a job's completion).
    func awaitsEvaluation(_ view: JobWatchView) -> Bool {
        guard let last = view.roundDetails.last, last.state == "Completed", view.evaluateEvery > 0,
              last.round % view.evaluateEvery == 0 else { return false }
        return !evaluatedRounds.contains(last.round)
    }

    static func describe(_ evaluation: JobWatchView.Evaluation, round: Int) -> String {
        let metrics = evaluation.metrics.sorted { $0.key < $1.key }.map { "\($0.key) " + String(format: "%.4f", $0.value) }
        return "round \(round) federated evaluation (\(evaluation.clusters.count) clusters, \(evaluation.examples) held-out examples): "
            + metrics.joined(separator: "  ")
    }

    static func describe(_ view: JobWatchView) -> String {
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

    /// Event times to the millisecond, as the log records them.
    static func time(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }
}

struct JobWatchView: Decodable {
    struct Rounds: Decodable { var total: Int; var completed: Int; var current: Int }
    struct Round: Decodable {
        struct Participant: Decodable { var cluster: String }
        var round: Int
        var state: String
        var participants: [Participant]
        var updatesReceived: Int
        var meanLoss: Double?
        struct Contribution: Decodable { var cluster: String }
        var contributions: [Contribution]
        var evaluation: Evaluation?
    }
    struct Evaluation: Decodable {
        struct Cluster: Decodable { var cluster: String }
        var examples: Int
        var metrics: [String: Double]
        var clusters: [Cluster]
    }
    var phase: String
    var message: String
    var rounds: Rounds
    var roundDetails: [Round]
    var evaluateEvery: Int
}

struct PlacementHistoryView: Decodable {
    struct Entry: Decodable {
        struct Departure: Decodable { var cluster: String; var filteredBy: String?; var reason: String }
        var generation: Int
        var selected: [String]
        var joined: [String]
        var departed: [Departure]
        var message: String
    }
    var items: [Entry]
}

struct ClusterListView: Decodable {
    struct Item: Decodable {
        struct Cluster: Decodable {
            struct Taint: Decodable { var key: String; var effect: String; var timeAdded: Date }
            var taints: [Taint]
        }
        var name: String
        var state: String
        var reason: String
        var cluster: Cluster?
    }
    var items: [Item]
}
