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
            // A path the file system cannot resolve now (a file where a directory belongs) is a
            // disk fault, not a refusal: the model store retries its writes until it passes.
            guard error.isViolation else { return nil }
            return "job \(job.id): spec.server.storage.path: \(error)"
        }
        return nil
    }
}
