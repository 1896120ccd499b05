import Foundation
import Learning
import Shared

/// What `GET /v1/jobs` lists for each job.
struct JobSummary: Codable, Sendable {
    var id: String
    var phase: String
    var reason: String
    var message: String
    var rounds: RoundProgress
    var submittedAt: Date
    var updatedAt: Date
}

struct RoundProgress: Codable, Sendable {
    var total: Int
    var completed: Int
    var current: Int
}

/// `GET /v1/jobs/{id}`: the whole lifecycle of one job.
struct JobDetail: Codable, Sendable {
    var id: String
    var phase: String
    var reason: String
    var message: String
    var framework: String
    var minAvailableClients: Int
    var storagePath: String
    var rounds: RoundProgress
    var latestModel: LatestModel?
    var submittedAt: Date
    var startedAt: Date?
    var finishedAt: Date?
    var updatedAt: Date
    var placement: PlacementSummary?
    var history: [Transition]
    var roundDetails: [RoundDetail]
    /// `spec.evaluation.everyRounds`: which rounds' models the contributors evaluate (0: none).
    var evaluateEvery: Int = EvaluationSpec.defaultEveryRounds
}

struct Transition: Codable, Sendable {
    var from: String
    var to: String
    var reason: String
    var message: String
    var at: Date
}

struct PlacementSummary: Codable, Sendable {
    var generation: Int
    var sufficient: Bool
    var message: String
    var participants: [Participant]
    var decidedAt: Date
}

struct RoundDetail: Codable, Sendable {
    var round: Int
    var state: String
    var participants: [Participant]
    var contributions: [Contribution]
    /// Selected clusters that had not answered when the round closed at its deadline.
    var missing: [String]
    /// Participants that reported they could not train this round, with their reasons.
    var failures: [ParticipantFailure]
    var rejections: [UpdateRejection]
    var updatesReceived: Int
    var strategy: String?
    var meanLoss: Double?
    var totalExamples: Int?
    var modelSHA256: String?
    var modelPath: String?
    var startedAt: Date?
    var completedAt: Date?
    var deadlineExtendedAt: Date?
    /// Round policy `askForMoreClients`: the clusters placement was asked to replace, and when.
    var unresponsive: [String]
    var moreClientsRequestedAt: Date?
    /// Participants placement removed while the round was open, and why (no longer waited for).
    var departed: [Departure]
    /// Federated evaluation of the round's global model, when its contributors reported one.
    var evaluation: RoundEvaluation?
}

/// One contributor's score of a round's global model on its own held-out data.
struct ClusterEvaluation: Codable, Sendable, Hashable {
    var cluster: String
    var examples: Int
    var metrics: [String: Double]
    var at: Date
}

/// A round's federated evaluation: each metric averaged over the clusters that reported it,
/// weighted by their example counts, and every cluster's own numbers.
struct RoundEvaluation: Codable, Sendable, Hashable {
    var examples: Int
    var metrics: [String: Double]
    var clusters: [ClusterEvaluation]

    init?(_ clusters: [ClusterEvaluation]) {
        guard !clusters.isEmpty else { return nil }
        self.clusters = clusters.sorted { $0.cluster < $1.cluster }
        examples = clusters.reduce(0) { $0 + $1.examples }
        var sums: [String: (weighted: Double, examples: Int)] = [:]
        for cluster in self.clusters {  // in name order: the same sum, bit for bit, however the reports arrived
            for (name, value) in cluster.metrics {
                sums[name, default: (0, 0)].weighted += value * Double(cluster.examples)
                sums[name, default: (0, 0)].examples += cluster.examples
            }
        }
        metrics = sums.compactMapValues { $0.examples > 0 ? $0.weighted / Double($0.examples) : nil }
    }
}

/// `GET /v1/jobs/{id}/placement`: the decision with every candidate's explanation.
struct PlacementView: Codable, Sendable {
    var jobID: String
    var generation: Int
    var sufficient: Bool
    var message: String
    var participants: [Participant]
    var decision: PlacementDecision
    var decidedAt: Date
}

/// `GET /v1/jobs/{id}/placement/history`: one entry per decision.
struct PlacementHistoryEntry: Codable, Sendable {
    var generation: Int
    var selected: [String]
    var joined: [String]
    var departed: [PlacementChange.Departure]
    var sufficient: Bool
    var message: String
    var decidedAt: Date
}

struct ClusterView: Codable, Sendable {
    var name: String
    var state: String
    var generation: Int
    var reason: String
    var cluster: ManagedCluster?
    /// The latest client certificate the hub's CA issued to the cluster (certificates mode).
    var certificate: CertificateView?
    var updatedAt: Date
}

struct CertificateView: Codable, Sendable, Hashable {
    var serial: String
    var notValidAfter: Date
    /// False for the first, issued on a bootstrap token; true for a renewal.
    var renewal: Bool
}

struct DeadLetterView: Codable, Sendable {
    var topic: String
    var partition: Int
    var offset: Int64
    var originalTopic: String
    var originalOffset: String
    var service: String
    var reason: String
    var eventType: String?
    var receivedAt: Date
}

struct Page<Item: Codable & Sendable>: Codable, Sendable {
    var items: [Item]
}

/// `GET /v1/blobs/{digest}`: a file the hub keeps for jobs.
struct BlobView: Codable, Sendable, Equatable {
    var digest: String
    var size: Int
    var publishedAt: Date
    /// When the blob is a model a job can start from: its tensors' names and shapes.
    var model: ModelLayout?
    /// When it is not: why (an app archive is not a model, for one).
    var notAModel: String?
}

/// What a blob's bytes hold, read once when it is published and kept beside it.
struct BlobContent: Sendable, Equatable {
    var model: ModelLayout?
    var notAModel: String?

    init(of bytes: [UInt8]) {
        do {
            model = ModelLayout(try InitialModel.model(in: bytes))
        } catch {
            notAModel = "it \(error.reason)"
        }
    }

    /// The layout as the `model_layout` column holds it.
    var layoutJSON: String? {
        get throws { try model.map { String(decoding: try JSONCoding.encoder.encode($0), as: UTF8.self) } }
    }
}
