extension FederatedLearningJob {
    /// The program the collaborators run for this job, or nil for the built-in trainer.
    public var trainerCommand: [String]? { spec.client.trainer?.command }

    /// Said plainly in the job's status when the built-in trainer stands in for what the
    /// document names but cannot run here (a container image: no container runs on the local
    /// stack); nil when the job runs what it names.
    public var trainerStandIn: String? {
        guard trainerCommand == nil, let image = spec.client.image else { return nil }
        return "the built-in trainer stands in for image \(image): no container runs here; name a program in spec.client.trainer.command to run your own"
    }
}
