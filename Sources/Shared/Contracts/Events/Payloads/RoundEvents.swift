import Foundation
import Learning

/// A round begins: the participants train from global model `baseVersion` (published just
/// before on the same partition) and send their updates.
public struct RoundStarted: EventPayload {
    public static let eventType = EventType.roundStarted
    public var jobID: String
    public var round: Int
    public var participants: [Participant]
    public var baseVersion: Int
    public var baseModelSHA256: String
    public var architecture: ModelArchitecture
    public var training: TrainingConfiguration
    /// When the round closes with whoever answered (nil: it waits for everyone).
    public var deadline: Date?
    /// The program that trains in place of the built-in trainer (nil: the built-in one).
    public var trainer: TrainerSpec?
    /// Contributors evaluate the global model after every this many rounds (nil: every round; 0: never).
    public var evaluateEvery: Int?
    public var subject: String { jobID }

    public init(
        jobID: String, round: Int, participants: [Participant], baseVersion: Int, baseModelSHA256: String,
        architecture: ModelArchitecture, training: TrainingConfiguration, deadline: Date? = nil, trainer: TrainerSpec? = nil,
        evaluateEvery: Int? = nil
    ) {
        self.evaluateEvery = evaluateEvery
        self.deadline = deadline
        self.trainer = trainer
        self.jobID = jobID
        self.round = round
        self.participants = participants
        self.baseVersion = baseVersion
        self.baseModelSHA256 = baseModelSHA256
        self.architecture = architecture
        self.training = training
    }
}

/// One collaborator's accepted contribution to a round.
public struct Contribution: Codable, Sendable, Hashable {
    public var cluster: String
    public var examples: Int
    public var loss: Double
    /// Set when the update was trained for an earlier round and counted into this one.
    public var lateFromRound: Int?
    /// The `ModelUpdateSubmitted` event that was folded in. Contributions are listed in fold
    /// order, so a round can be re-aggregated exactly from the log.
    public var updateEventID: String?
    public init(cluster: String, examples: Int, loss: Double, lateFromRound: Int? = nil, updateEventID: String? = nil) {
        self.updateEventID = updateEventID
        self.cluster = cluster
        self.examples = examples
        self.loss = loss
        self.lateFromRound = lateFromRound
    }
}

/// A round ended with a new global model.
public struct RoundCompleted: EventPayload {
    public static let eventType = EventType.roundCompleted
    public var jobID: String
    public var round: Int
    public var contributions: [Contribution]
    public var strategy: String
    public var modelVersion: Int
    public var modelSHA256: String
    public var modelPath: String
    /// Example-weighted mean of the collaborators' training losses.
    public var meanLoss: Double
    public var totalExamples: Int
    /// Participants that had not answered when the round closed at its deadline.
    public var missing: [String]?
    /// Participants placement removed while the round was open, and why (no longer waited for).
    public var departed: [Departure]?
    public var subject: String { jobID }

    public init(
        jobID: String, round: Int, contributions: [Contribution], strategy: String, modelVersion: Int, modelSHA256: String, modelPath: String,
        meanLoss: Double, totalExamples: Int, missing: [String] = [], departed: [Departure] = []
    ) {
        self.missing = missing
        self.departed = departed.isEmpty ? nil : departed
        self.jobID = jobID
        self.round = round
        self.contributions = contributions
        self.strategy = strategy
        self.modelVersion = modelVersion
        self.modelSHA256 = modelSHA256
        self.modelPath = modelPath
        self.meanLoss = meanLoss
        self.totalExamples = totalExamples
    }
}

/// The aggregator refused an update; the model did not change because of it.
public struct ModelUpdateRejected: EventPayload {
    public static let eventType = EventType.modelUpdateRejected
    public var jobID: String
    public var round: Int?
    public var cluster: String?
    public var updateEventID: String
    public var reason: String
    public var subject: String { jobID }

    public init(jobID: String, round: Int?, cluster: String?, updateEventID: String, reason: String) {
        self.jobID = jobID
        self.round = round
        self.cluster = cluster
        self.updateEventID = updateEventID
        self.reason = reason
    }
}

/// A round's deadline passed without enough updates and was extended once.
public struct RoundDeadlineExtended: EventPayload {
    public static let eventType = EventType.roundDeadlineExtended
    public var jobID: String
    public var round: Int
    public var answered: [String]
    public var required: Int
    public var newDeadline: Date
    public var subject: String { jobID }

    public init(jobID: String, round: Int, answered: [String], required: Int, newDeadline: Date) {
        self.jobID = jobID
        self.round = round
        self.answered = answered
        self.required = required
        self.newDeadline = newDeadline
    }
}

/// A selected collaborator could not take part in a round (its data is unreadable, training
/// diverged, its base model never arrived). The aggregator stops waiting for it.
public struct RoundParticipationFailed: EventPayload {
    public static let eventType = EventType.roundParticipationFailed
    public var jobID: String
    public var round: Int
    public var cluster: String
    public var reason: String
    public var subject: String { jobID }

    public init(jobID: String, round: Int, cluster: String, reason: String) {
        self.jobID = jobID
        self.round = round
        self.cluster = cluster
        self.reason = reason
    }
}
