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
