/// Federated evaluation: a participant scored a round's global model on its own held-out
/// data. Only numbers leave the cluster; the hub weighs them by example count.
public struct EvaluationReported: EventPayload {
    public static let eventType = EventType.evaluationReported
    public var jobID: String
    /// The round whose resulting global model (version `round`) was evaluated.
    public var round: Int
    public var cluster: String
    public var examples: Int
    /// E.g. `accuracy` and `loss` from the built-in trainers; whatever names an app reports.
    public var metrics: [String: Double]
    public var subject: String { jobID }

    public init(jobID: String, round: Int, cluster: String, examples: Int, metrics: [String: Double]) {
        self.jobID = jobID
        self.round = round
        self.cluster = cluster
        self.examples = examples
        self.metrics = metrics
    }

    public static let maximumMetrics = 64

    /// The rules every consumer applies before using a report.
    public var problems: [FieldError] {
        var errors: [FieldError] = []
        if let problem = ResourceName.problem(with: jobID) { errors.append(FieldError(field: "jobID", problem: problem)) }
        if let problem = ResourceName.problem(with: cluster) { errors.append(FieldError(field: "cluster", problem: problem)) }
        if !(1...JobDocument.maximumRounds).contains(round) { errors.append(FieldError(field: "round", problem: "must be in 1...\(JobDocument.maximumRounds), got \(round)")) }
        if !(1...Int(Int32.max)).contains(examples) { errors.append(FieldError(field: "examples", problem: "must be in 1...\(Int32.max), got \(examples)")) }
        if metrics.count > Self.maximumMetrics { errors.append(FieldError(field: "metrics", problem: "has \(metrics.count) entries; at most \(Self.maximumMetrics)")) }
        for (name, value) in metrics.sorted(by: { $0.key < $1.key }) {
            if let problem = MetricName.problem(with: name) { errors.append(FieldError(field: "metrics[\(name)]", problem: problem)) }
            if !value.isFinite { errors.append(FieldError(field: "metrics[\(name)]", problem: "must be finite")) }
        }
        return errors + TextFields.problems(in: self)
    }
}
