import Foundation

/// A job document was accepted; the job starts `Waiting`.
public struct JobSubmitted: EventPayload {
    public static let eventType = EventType.jobSubmitted
    public var job: FederatedLearningJob
    public var subject: String { job.id }
    public init(job: FederatedLearningJob) { self.job = job }
}

/// The job moved to another phase. `reason` is a short CamelCase cause, `message` for people.
public struct JobPhaseChanged: EventPayload {
    public static let eventType = EventType.jobPhaseChanged
    public var jobID: String
    public var phase: JobPhase
    public var previous: JobPhase
    public var reason: String
    public var message: String
    public var subject: String { jobID }

    public init(jobID: String, phase: JobPhase, previous: JobPhase, reason: String, message: String) {
        self.jobID = jobID
        self.phase = phase
        self.previous = previous
        self.reason = reason
        self.message = message
    }
}

/// The aggregator asks placement to replace clusters that did not answer a round by its
/// deadline (round policy `onQuorumMissed: askForMoreClients`).
public struct MoreClientsRequested: EventPayload {
    public static let eventType = EventType.moreClientsRequested
    public var jobID: String
    public var round: Int
    /// Selected for the round, neither answered nor reported failure by the deadline.
    public var unresponsive: [String]
    public var answered: Int
    public var required: Int
    public var subject: String { jobID }

    public init(jobID: String, round: Int, unresponsive: [String], answered: Int, required: Int) {
        self.jobID = jobID
        self.round = round
        self.unresponsive = unresponsive
        self.answered = answered
        self.required = required
    }
}
