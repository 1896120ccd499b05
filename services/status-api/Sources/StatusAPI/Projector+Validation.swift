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
        if event.envelope.type == .clusterCertificateIssued {
            let issued = try event.payload(ClusterCertificateIssued.self)
            if let problem = ResourceName.problem(with: issued.cluster) {
                throw PermanentEventError("ClusterCertificateIssued names an invalid cluster: \(problem)")
            }
            guard (1...64).contains(issued.serial.count), issued.serial.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else {
                throw PermanentEventError("ClusterCertificateIssued for '\(issued.cluster)': serial '\(storable(issued.serial))' is not 1 to 64 lowercase hex digits")
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
