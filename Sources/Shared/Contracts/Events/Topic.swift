/// Every Kafka topic Flotilla uses, defined once. Names get an optional namespace prefix
/// (configuration `FLOTILLA_TOPIC_PREFIX`) so several stacks or tests can share one broker.
public enum Topic: String, CaseIterable, Sendable, Codable {
    /// Job lifecycle: `JobSubmitted`, `JobPhaseChanged`. Keyed by job.
    case jobs = "flotilla.jobs"
    /// Commands from collaborator agents: registration, heartbeat, deregistration. Keyed by cluster.
    case registrations = "flotilla.registrations"
    /// The registry's facts about clusters: registered, rejected, deregistered. Keyed by cluster.
    case clusters = "flotilla.clusters"
    /// Placement decisions with their explanations. Keyed by job.
    case placements = "flotilla.placements"
    /// The aggregator's round protocol: global models, round start and end. Keyed by job, so a
    /// collaborator always sees a round's base model before the round itself.
    case rounds = "flotilla.rounds"
    /// Model updates from collaborators, and the aggregator's rejections of them. Keyed by job.
    case updates = "flotilla.updates"
    /// Content-addressed files the hub keeps for jobs (trainer apps): `BlobPublished`. Keyed by digest.
    case blobs = "flotilla.blobs"
    /// Messages no handler could accept, with the reason. Keyed like the original.
    case deadLetter = "flotilla.dead-letter"

    /// Partitions per topic: keyed topics spread jobs and clusters; order holds per key.
    public var partitions: Int { self == .deadLetter ? 1 : 3 }

    public func name(prefix: String) -> String { prefix.isEmpty ? rawValue : "\(prefix).\(rawValue)" }
}
