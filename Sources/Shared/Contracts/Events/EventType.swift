/// Every event type, defined once, with the topic it travels on. Raw values are the
/// CloudEvents `type` attribute (reverse-DNS, as the spec recommends).
public enum EventType: String, CaseIterable, Sendable, Codable {
    case jobSubmitted = "io.flotilla.job.submitted"
    case jobPhaseChanged = "io.flotilla.job.phase-changed"
    case moreClientsRequested = "io.flotilla.job.more-clients-requested"
    case clusterRegistrationRequested = "io.flotilla.cluster.registration-requested"
    case clusterHeartbeat = "io.flotilla.cluster.heartbeat"
    case clusterDeregistrationRequested = "io.flotilla.cluster.deregistration-requested"
    case clusterRegistered = "io.flotilla.cluster.registered"
    case clusterRegistrationRejected = "io.flotilla.cluster.registration-rejected"
    case clusterDeregistered = "io.flotilla.cluster.deregistered"
    case bootstrapTokenIssued = "io.flotilla.cluster.bootstrap-token-issued"
    case clusterCertificateIssued = "io.flotilla.cluster.certificate-issued"
    case placementDecided = "io.flotilla.placement.decided"
    case globalModelPublished = "io.flotilla.model.global-published"
    case roundStarted = "io.flotilla.round.started"
    case roundCompleted = "io.flotilla.round.completed"
    case roundDeadlineExtended = "io.flotilla.round.deadline-extended"
    case modelUpdateSubmitted = "io.flotilla.model.update-submitted"
    case modelUpdateRejected = "io.flotilla.model.update-rejected"
    case roundParticipationFailed = "io.flotilla.round.participation-failed"
    case evaluationReported = "io.flotilla.round.evaluation-reported"
    case blobPublished = "io.flotilla.blob.published"

    public var topic: Topic {
        switch self {
        case .jobSubmitted, .jobPhaseChanged, .moreClientsRequested: .jobs
        case .clusterRegistrationRequested, .clusterHeartbeat, .clusterDeregistrationRequested, .bootstrapTokenIssued: .registrations
        case .clusterRegistered, .clusterRegistrationRejected, .clusterDeregistered, .clusterCertificateIssued: .clusters
        case .placementDecided: .placements
        case .globalModelPublished, .roundStarted, .roundCompleted, .roundDeadlineExtended: .rounds
        case .modelUpdateSubmitted, .modelUpdateRejected, .roundParticipationFailed, .evaluationReported: .updates
        case .blobPublished: .blobs
        }
    }
}
