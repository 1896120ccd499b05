import Foundation
import Shared

extension AggregationCoordinator {
    /// The job's `spec.server.initialModel` is not on the hub, or is not a model its trainer
    /// can start from. Nothing later can change an uploaded blob, so the job fails with the reason.
    public mutating func initialModelRefused(jobID: String, reason: String) -> [AggregatorAction] {
        guard var job = jobs[jobID], !job.phase.isTerminal else { return [] }
        defer { jobs[jobID] = job }
        return [job.fail(reason: "InitialModelRefused", message: reason)]
    }
}
