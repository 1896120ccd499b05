extension FederatedLearningJob {
    /// The job's own trainer (a command, an uploaded app, or both), or nil for the built-in one.
    public var ownTrainer: TrainerSpec? {
        guard let trainer = spec.client.trainer, trainer.command != nil || trainer.app != nil else { return nil }
        return trainer
    }

    /// Said plainly in the job's status when the built-in trainer stands in for what the
    /// document names but cannot run here (a container image: no container runs on the local
    /// stack); nil when the job runs what it names.
    public var trainerStandIn: String? {
        guard ownTrainer == nil, let image = spec.client.image else { return nil }
        return "the built-in trainer stands in for image \(image): no container runs here; name a program in spec.client.trainer.command, or an app with flotilla submit --app, to run your own"
    }
}
