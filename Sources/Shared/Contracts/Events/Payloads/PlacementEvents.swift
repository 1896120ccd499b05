import Foundation

/// A selected cluster and the data path its claim declared, handed to its collaborator
/// (OCM hands the claim's value to the client the same way).
public struct Participant: Codable, Sendable, Hashable {
    public var cluster: String
    public var dataPath: String?
    public init(cluster: String, dataPath: String?) {
        self.cluster = cluster
        self.dataPath = dataPath
    }
}

/// Placement's decision for a job, with the full explanation of every candidate.
public struct PlacementDecided: EventPayload {
    public static let eventType = EventType.placementDecided
    public var jobID: String
    /// Increases with each decision for this job.
    public var generation: Int
    public var decision: PlacementDecision
    public var participants: [Participant]
    public var minAvailableClients: Int
    /// True when at least `minAvailableClients` clusters were selected: the job may run.
    public var sufficient: Bool
    /// "expected N, only M" while insufficient.
    public var message: String
    public var subject: String { jobID }

    public init(jobID: String, generation: Int, decision: PlacementDecision, participants: [Participant], minAvailableClients: Int, sufficient: Bool, message: String) {
        self.jobID = jobID
        self.generation = generation
        self.decision = decision
        self.participants = participants
        self.minAvailableClients = minAvailableClients
        self.sufficient = sufficient
        self.message = message
    }
}
