import Foundation
import Shared

extension AggregationCoordinator {
    /// The model store refused to write the job's file because its path leads outside the model
    /// root (a link planted after the job was admitted). Retrying cannot help: the job fails
    /// with the reason, and what the round had decided after the write is not carried out.
    public mutating func storageRefused(jobID: String, reason: String) -> [AggregatorAction] {
        guard var job = jobs[jobID], !job.phase.isTerminal else { return [] }
        defer { jobs[jobID] = job }
        return [job.fail(reason: "ModelPathRefused", message: reason)]
    }
}

extension AggregatorAction {
    /// The job whose model file this action writes, if it writes one.
    var storedJobID: String? {
        switch self {
        case .storeModel(let model), .restoreModel(let model): model.jobID
        default: nil
        }
    }

    /// The job this action concerns.
    var jobID: String? { storedJobID ?? identity?.jobID }
}
