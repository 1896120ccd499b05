import Shared

/// Where an accepted job document goes: `JobSubmitted` on the event log. A protocol so the
/// routes can be tested in process with ``RecordingSubmissionPublisher``.
protocol SubmissionPublisher: Sendable {
    /// Returns once the event log confirmed the event.
    func publishSubmission(_ job: FederatedLearningJob) async throws
    /// Returns once the event log confirmed every piece of the blob.
    func publishBlob(_ blob: BlobPublished) async throws
    /// Returns once the event log confirmed it.
    func publishBootstrapToken(_ issued: BootstrapTokenIssued) async throws
}

extension EventPublisher: SubmissionPublisher {
    func publishSubmission(_ job: FederatedLearningJob) async throws {
        try await publish(JobSubmitted(job: job))
    }

    func publishBlob(_ blob: BlobPublished) async throws {
        try await publish(blob)
    }

    func publishBootstrapToken(_ issued: BootstrapTokenIssued) async throws {
        try await publish(issued)
    }
}
