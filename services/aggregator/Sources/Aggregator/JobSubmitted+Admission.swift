import Shared

extension JobSubmitted {
    /// Why the aggregator will not run this job, or nil. The log may hold what never passed the
    /// front door (anyone with write access to the topic can put a job there), so the door's
    /// rules are applied again, and the model directory must lie inside the model root.
    func admissionProblem(modelRoot: String?) -> String? {
        do {
            try JobDocument.validate(job)
        } catch {
            return "job \(TextFields.escaped(job.id)) is invalid: \(error)"
        }
        guard let modelRoot else { return nil }
        do {
            try ModelStore(root: modelRoot).checkDirectory(of: job)
        } catch {
            return "job \(job.id): spec.server.storage.path: \(error)"
        }
        return nil
    }
}
