import Foundation
import Shared

/// The read model in memory: the twin of ``PostgresReadModel`` for in-process route tests.
/// ``record(_:at:)`` does what the projection does with a `JobSubmitted`; ``outage`` makes
/// every call fail as PostgreSQL being down does.
actor InMemoryReadModel: StatusReadModel {
    private(set) var details: [String: JobDetail] = [:]
    private var names: Set<String> = []
    var placements: [String: PlacementView] = [:]
    var placementHistories: [String: [PlacementHistoryEntry]] = [:]
    var clusterViews: [ClusterView] = []
    var deadLetterViews: [DeadLetterView] = []
    var blobs: [String: BlobView] = [:]
    /// While set, every call throws ``DatabaseUnavailable`` with this reason.
    var outage: String?

    init() {}

    func setOutage(_ reason: String?) { outage = reason }
    func add(_ cluster: ClusterView) { clusterViews.append(cluster) }
    func add(_ deadLetter: DeadLetterView) { deadLetterViews.append(deadLetter) }

    /// A submitted job as the projection shows it: waiting for placement.
    func record(_ job: FederatedLearningJob, at time: Date = Date()) {
        names.insert(job.id)
        details[job.id] = JobDetail(
            id: job.id, phase: JobPhase.waiting.rawValue, reason: "Submitted", message: "waiting for placement", framework: job.spec.framework.rawValue,
            minAvailableClients: job.spec.server.minAvailableClients, storagePath: job.spec.server.storage.path,
            rounds: RoundProgress(total: job.spec.server.rounds, completed: 0, current: 0), latestModel: nil,
            submittedAt: time, startedAt: nil, finishedAt: nil, updatedAt: time, placement: nil,
            history: [Transition(from: "", to: JobPhase.waiting.rawValue, reason: "Submitted", message: "waiting for placement", at: time)], roundDetails: []
        )
    }

    private func available() throws {
        if let outage { throw DatabaseUnavailable(reason: outage) }
    }

    func ping() throws { try available() }

    func jobs(limit: Int) throws -> [JobSummary] {
        try available()
        return details.values.sorted { $0.submittedAt > $1.submittedAt }.prefix(limit).map {
            JobSummary(id: $0.id, phase: $0.phase, reason: $0.reason, message: $0.message, rounds: $0.rounds, submittedAt: $0.submittedAt, updatedAt: $0.updatedAt)
        }
    }

    func jobExists(_ id: String) throws -> Bool {
        try available()
        return details[id] != nil
    }

    func job(_ id: String) throws -> JobDetail? {
        try available()
        return details[id]
    }

    func rounds(_ id: String) throws -> [RoundDetail] {
        try available()
        return details[id]?.roundDetails ?? []
    }

    func placement(_ id: String) throws -> PlacementView? {
        try available()
        return placements[id]
    }

    func placementHistory(_ id: String) throws -> [PlacementHistoryEntry] {
        try available()
        return placementHistories[id] ?? []
    }

    func clusters() throws -> [ClusterView] {
        try available()
        return clusterViews.sorted { $0.name < $1.name }
    }

    func deadLetters(limit: Int) throws -> [DeadLetterView] {
        try available()
        return Array(deadLetterViews.sorted { $0.receivedAt > $1.receivedAt }.prefix(limit))
    }

    func reserveJobName(_ name: String) throws -> Bool {
        try available()
        return names.insert(name).inserted
    }

    func releaseJobName(_ name: String) throws {
        try available()
        if details[name] == nil { names.remove(name) }
    }

    func blob(_ digest: String) throws -> BlobView? {
        try available()
        return blobs[digest]
    }

    func recordBlob(_ digest: String, size: Int, content: BlobContent) throws {
        try available()
        if blobs[digest] == nil { blobs[digest] = BlobView(digest: digest, size: size, publishedAt: Date(), model: content.model, notAModel: content.notAModel) }
    }
}

/// The twin of the event publisher for route tests: keeps what was published, or fails as an
/// unreachable broker does while ``failure`` is set.
actor RecordingSubmissionPublisher: SubmissionPublisher {
    private(set) var published: [FederatedLearningJob] = []
    private(set) var publishedBlobs: [String] = []
    private(set) var publishedTokens: [BootstrapTokenIssued] = []
    var failure: (any Error)?

    init() {}

    func fail(with error: (any Error)?) { failure = error }

    func publishSubmission(_ job: FederatedLearningJob) throws {
        if let failure { throw failure }
        published.append(job)
    }

    func publishBlob(_ blob: BlobPublished) throws {
        if let failure { throw failure }
        publishedBlobs.append(blob.digest)
    }

    func publishBootstrapToken(_ issued: BootstrapTokenIssued) throws {
        if let failure { throw failure }
        publishedTokens.append(issued)
    }
}
