extension ConsumedEvent {
    /// The job of a `JobSubmitted`, checked with the front door's rules: the log may hold what
    /// never passed the door (anyone who can write to the topic can put a job there). A job the
    /// door would refuse is a permanent error: the event is dead-lettered with every field error.
    public func submittedJob() throws -> JobSubmitted {
        let submitted = try payload(JobSubmitted.self)
        do {
            try JobDocument.validate(submitted.job)
        } catch {
            throw PermanentEventError("JobSubmitted for '\(TextFields.escaped(submitted.job.id))' is invalid: \(error.description)")
        }
        return submitted
    }
}
