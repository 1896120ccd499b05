import Foundation
import Shared

/// The latest global model of a job, as the API shows it.
struct LatestModel: Codable, Sendable, Hashable {
    var version: Int
    var sha256: String
    var path: String
    var round: Int
}

struct UpdateRejection: Codable, Sendable, Hashable {
    var cluster: String?
    var reason: String
    var updateEventID: String
    var at: Date
}

/// A selected cluster that reported it could not take part in a round, and why.
struct ParticipantFailure: Codable, Sendable, Hashable {
    var cluster: String
    var reason: String
    var at: Date
}
