import Logging

/// The one way a Flotilla service starts consuming: create the topics (idempotent, never
/// auto-created, partition counts checked) or wait for the hub to create them, place the consumer where ``ConsumerStart`` says, and hand every event to the
/// handler through an ``EventProcessor`` (at least once, dead letters, retries) until shutdown.
public struct EventSource: Sendable {
    /// Names the consumer group, `flotilla-<service>`, and dead letters' origin.
    public let service: String
    public let configuration: HubConfiguration
    public let publisher: EventPublisher
    public let logger: Logger
    /// Hub services create the topics; a collaborator (on a managed cluster, with no say over
    /// the hub's broker) waits until they exist and checks them.
    public let ownsTopics: Bool

    public init(service: String, configuration: HubConfiguration, publisher: EventPublisher, logger: Logger, ownsTopics: Bool = true) {
        self.service = service
        self.configuration = configuration
        self.publisher = publisher
        self.logger = logger
        self.ownsTopics = ownsTopics
    }

    public var groupID: String { "flotilla-\(service)" }

    /// Consumes `topics` from `start` until shutdown.
    public func consume(
        _ topics: [Topic], from start: ConsumerStart, hooks: EventProcessor.Hooks = EventProcessor.Hooks(),
        handler: @escaping EventProcessor.Handler
    ) async throws {
        let admin = KafkaAdmin(configuration: configuration.kafka, logger: logger)
        if ownsTopics {
            try await TopicBootstrap.ensureTopics(admin: admin, prefix: configuration.topicPrefix)
        } else {
            try await TopicBootstrap.waitForTopics(admin: admin, prefix: configuration.topicPrefix, logger: logger)
        }
        let (subscription, carriedOver) = try await subscription(topics, from: start, admin: admin)
        let consumer = try KafkaConsumer(configuration: configuration.kafka, groupID: groupID, subscription: subscription, logger: logger)
        var processor = EventProcessor(consumer: consumer, publisher: publisher, service: service, logger: logger, hooks: hooks, handler: handler)
        // A transfer the replay's end cut in two is completed live, not refused as missing a piece.
        if let carriedOver, carriedOver.models == hooks.models { processor.carriedOver = carriedOver }
        try await processor.runThenClose()
    }

    private func subscription(_ topics: [Topic], from start: ConsumerStart, admin: KafkaAdmin) async throws -> (KafkaSubscription, ChunkAssembler?) {
        let names = topics.map(configuration.topic)
        switch start {
        case .committed:
            return (.assignAll(topics: names, start: .stored), nil)
        case .beginning:
            return (.assignAll(topics: names, start: .beginning), nil)
        case .offsets(let offsets):
            return (.assign(try await assignments(names, admin: admin) { offsets[$0]?[$1] ?? KafkaTopicPartitionOffset.beginning }), nil)
        case .replay(let rebuild):
            let replay = TopicReplay(configuration: configuration, producer: publisher.producer, service: service, logger: logger)
            let ends = try await rebuild(replay)
            let subscription = KafkaSubscription.assign(try await assignments(names, admin: admin) { topic, partition in
                ends.first { $0.topic == topic && $0.partition == partition }?.offset ?? KafkaTopicPartitionOffset.stored
            })
            return (subscription, replay.unfinished.take())
        }
    }

    /// Every partition of `names`, each at `offset(topic, partition)`.
    private func assignments(_ names: [String], admin: KafkaAdmin, offset: (String, Int32) -> Int64) async throws -> [KafkaTopicPartitionOffset] {
        var assignments: [KafkaTopicPartitionOffset] = []
        for name in names {
            for partition in 0..<Int32(try await admin.partitionCount(of: name)) {
                assignments.append(KafkaTopicPartitionOffset(topic: name, partition: partition, offset: offset(name, partition)))
            }
        }
        return assignments
    }
}
