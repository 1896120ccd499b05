import Foundation

/// The parts of `GET /v1/jobs/{id}` the tests check (decoded independently of the server's types).
struct JobView: Decodable, Equatable, CustomStringConvertible {
    struct Rounds: Decodable, Equatable { var total: Int; var completed: Int; var current: Int }
    struct Transition: Decodable, Equatable { var from: String; var to: String; var reason: String }
    struct Contribution: Decodable, Equatable { var cluster: String; var examples: Int; var loss: Double }
    struct Participant: Decodable, Equatable { var cluster: String; var dataPath: String? }
    struct Round: Decodable, Equatable {
        var round: Int
        var state: String
        var participants: [Participant]
        var contributions: [Contribution]
        var updatesReceived: Int
        var modelSHA256: String?
        var modelPath: String?
        var meanLoss: Double?
        struct Departure: Decodable, Equatable { var cluster: String; var filteredBy: String?; var reason: String }
        /// Who placement removed while the round was open, and why.
        var departed: [Departure]?
        struct Failure: Decodable, Equatable { var cluster: String; var reason: String }
        var failures: [Failure]?
        struct Rejection: Decodable, Equatable { var cluster: String; var reason: String }
        var rejections: [Rejection]?
        struct Evaluation: Decodable, Equatable {
            struct Cluster: Decodable, Equatable { var cluster: String; var examples: Int; var metrics: [String: Double] }
            var examples: Int
            var metrics: [String: Double]
            var clusters: [Cluster]
        }
        /// Federated evaluation of the round's model, weighted by examples.
        var evaluation: Evaluation?
    }
    struct Model: Decodable, Equatable { var version: Int; var sha256: String; var path: String }
    var id: String
    var phase: String
    var message: String
    var rounds: Rounds
    var history: [Transition]
    var roundDetails: [Round]
    var latestModel: Model?
    var description: String { "\(id) \(phase) rounds \(rounds.completed)/\(rounds.total): \(message)" }
}

struct Problem: Decodable {
    struct Field: Decodable { var field: String; var problem: String }
    var type: String
    var status: Int
    var detail: String
    var errors: [Field]?
}

struct DeadLetters: Decodable {
    struct Item: Decodable { var originalTopic: String; var service: String; var reason: String }
    var items: [Item]
}
