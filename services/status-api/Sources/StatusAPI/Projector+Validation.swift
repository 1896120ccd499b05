import Shared

extension Projector {
    /// The projection trusts nothing it reads: an event that the front door would have refused
    /// (e.g. a `JobSubmitted` put on the topic directly) is dead-lettered with every field error.
    static func validate(_ event: ConsumedEvent) throws {
        if event.envelope.type == .evaluationReported {
            let report = try event.payload(EvaluationReported.self)
            let problems = report.problems
            guard problems.isEmpty else {
                throw PermanentEventError("EvaluationReported is invalid: \(problems.map(\.description).joined(separator: "; "))")
            }
            return
        }
        guard event.envelope.type == .jobSubmitted else { return }
        let submitted = try event.payload(JobSubmitted.self)
        do {
            try JobDocument.validate(submitted.job)
        } catch {
            throw PermanentEventError("JobSubmitted for '\(storable(submitted.job.id))' is invalid: \(error.description)")
        }
    }
}
