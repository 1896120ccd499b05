import ArgumentParser
import Foundation
import Learning
import Logging
import Shared

/// Peak memory of the aggregator service during one FedAvg round, measured on the real thing:
/// starts the `flotilla-aggregator` executable (built next to this one) against a broker,
/// sends it a job and `clients` updates of an MLP of about 10M float32 parameters through
/// Kafka, in pieces as collaborators do, and reads the process's resident high-water mark.
struct AggregatorMemoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aggregator-memory",
        abstract: "Peak RSS of the aggregator service over one FedAvg round, against 3 model sizes + 64 MB (needs a broker: scripts/infra up DIR)."
    )

    @Option(help: "Clients in the round.") var clients = 50
    @Option(help: "Hidden units of the 784-h-10 MLP (12700: 10.1M parameters).") var hiddenUnits = 12_700
    @Option(help: "Kafka bootstrap servers.") var bootstrap = ProcessInfo.processInfo.environment[ConfigurationKey.kafkaBootstrap.rawValue] ?? "127.0.0.1:9092"

    func run() async throws {
        var logger = Logger(label: "flotilla-bench")
        logger.logLevel = .warning
        var kafka = KafkaConfiguration(bootstrapServers: bootstrap, clientID: "flotilla-bench")
        kafka.fetchWaitMaxMilliseconds = 10
        kafka.lingerMilliseconds = 0
        let hub = HubConfiguration(kafka: kafka, topicPrefix: "memory-\(UInt32.random(in: 0...UInt32.max))", logLevel: .warning)
        try await TopicBootstrap.ensureTopics(admin: KafkaAdmin(configuration: kafka, logger: logger), prefix: hub.topicPrefix)
        let producer = try KafkaProducer(configuration: kafka, logger: logger)
        let publisher = EventPublisher(producer: producer, topicPrefix: hub.topicPrefix, source: "flotilla-bench", chunkBytes: hub.modelChunkBytes)

        let aggregator = try ChildAggregator(hub: hub)
        defer { aggregator.stop() }
        let rounds = try KafkaConsumer(configuration: kafka, groupID: "bench-\(hub.topicPrefix)", subscription: .assignAll(topics: [hub.topic(.rounds)], start: .beginning), logger: logger)
        let events = RoundEvents(consumer: rounds)
        try await Task.sleep(for: .seconds(3))  // let it rebuild (from an empty log) and settle
        let idle = try aggregator.memory()
        progress("aggregator idle at \(idle.resident / 1_000_000) MB; submitting the job")

        let spec = TrainingSpec(model: .mlp, hiddenUnits: hiddenUnits, inputs: 784, classes: 10)
        let names = (1...clients).map { String(format: "c%03d", $0) }
        let job = FederatedLearningJob(metadata: ObjectMeta(name: "memory"), spec: FederatedLearningSpec(
            server: ServerSpec(rounds: 1, minAvailableClients: clients, storage: StorageSpec(path: "/models")),
            // The aggregator admits only jobs the front door would (a placement must hand out data paths).
            client: ClientSpec(placement: PlacementSpec(predicates: [ClusterPredicate(requiredClusterSelector: ClusterSelector(
                claimSelector: ClusterClaimSelector(matchExpressions: [SelectorRequirement(key: "data", operator: .exists)])
            ))])), training: spec
        ))
        try await publisher.publish(JobSubmitted(job: job))
        try await publisher.publish(PlacementDecided(
            jobID: "memory", generation: 1,
            decision: PlacementDecision(selected: names, condition: PlacementCondition(satisfied: true, reason: .allDecisionsScheduled, message: ""), explanations: []),
            participants: names.map { Participant(cluster: $0, dataPath: nil) }, minAvailableClients: clients, sufficient: true, message: "bench"
        ))
        progress("waiting for round 1 to start")
        let started: RoundStarted
        do {
            started = try await events.next(RoundStarted.self, within: .seconds(60))
        } catch {
            try await Self.describe([.jobs, .placements], hub: hub, logger: logger)
            throw error
        }
        progress("round 1 started; sending \(clients) updates")
        let base = spec.architecture.initialParameters(seed: spec.configuration.seed)
        let modelBytes = base.byteCount
        try await Task.sleep(for: .seconds(1))
        try aggregator.resetPeak()
        let before = try aggregator.memory()
        let clock = ContinuousClock.now
        var folding: ChildAggregator.Memory?
        for (index, name) in names.enumerated() {
            if index == names.count - 1 {
                // Before the last update: the peak of folding alone, without the round's completion.
                try await Task.sleep(for: .seconds(2))
                folding = try aggregator.memory()
            }
            let shift = Float(index + 1) * 1e-4
            let trained = ModelParameters(tensors: base.tensors.map { Tensor(name: $0.name, shape: $0.shape, values: $0.values.map { $0 + shift }) })
            try await publisher.publish(ModelUpdateSubmitted(
                jobID: "memory", round: 1, cluster: name, examples: 100 + index, loss: 0.5, baseModelSHA256: started.baseModelSHA256, parameters: trained
            ))
        }
        progress("waiting for the round to complete")
        _ = try await events.next(RoundCompleted.self)
        let seconds = (ContinuousClock.now - clock) / .seconds(1)
        let after = try aggregator.memory()
        await rounds.close()
        await producer.shutdown()

        func mb(_ bytes: Int) -> String { String(format: "%.1f MB", Double(bytes) / 1e6) }
        let model = Double(modelBytes)
        let used = after.peak - idle.resident
        let goal = 3 * modelBytes + 64_000_000
        let pending = ProcessInfo.processInfo.environment[ConfigurationKey.pendingUpdateBytes.rawValue] ?? ConfigurationKey.pendingUpdateBytes.defaultValue ?? "?"
        print("aggregator-memory: the flotilla-aggregator process, one FedAvg round of \(clients) updates, model \(base.parameterCount) float32 (\(mb(modelBytes))), \(ConfigurationKey.pendingUpdateBytes.rawValue)=\(pending)")
        print("  idle service (rebuilt from an empty log): \(mb(idle.resident)) resident")
        print("  job running, before the first update: \(mb(before.resident)) resident")
        print(String(format: "  peak during the round (VmHWM, reset before it): %@; round took %.1f s through the broker", mb(after.peak), seconds))
        if let folding {
            print(String(format: "  peak while folding the first %d updates: %@ (%.2f model sizes above the idle service)", clients - 1, mb(folding.peak), Double(folding.peak - idle.resident) / model))
        }
        print(String(format: "  peak above the idle service, completion included: %@ = %.2f model sizes", mb(used), Double(used) / model))
        print(String(format: "  goal: < 3 model sizes + 64 MB = %@: %@", mb(goal), used < goal ? "met" : "NOT met"))
        print("  (the local broker keeps every message in memory: each run leaves about \(mb(clients * modelBytes)) in it;")
        print("   restart it with scripts/infra down DIR && scripts/infra up DIR before measuring speed)")
    }
}

struct BenchTimeout: Error, CustomStringConvertible {
    var waitingFor: String
    var limit: Duration
    var description: String { "no \(waitingFor) within \(limit): the aggregator did not answer (see the topics listed above)" }
}

extension AggregatorMemoryCommand {
    /// Lists what the topics hold (partition, offset, event type or marker), to tell a message
    /// that never arrived from one the aggregator skipped.
    static func describe(_ topics: [Topic], hub: HubConfiguration, logger: Logger) async throws {
        let consumer = try KafkaConsumer(
            configuration: hub.kafka, groupID: "bench-describe-\(UInt32.random(in: 0...UInt32.max))",
            subscription: .assignAll(topics: topics.map(hub.topic), start: .beginning), logger: logger
        )
        let reader = Task {
            for try await message in consumer.messages {
                let kind = message.streamMarkerID.map { "marker \($0)" } ?? ((try? EventEnvelope(message: message))?.type.rawValue ?? "?")
                progress("  \(message.topic)[\(message.partition)]@\(message.offset): \(kind)")
            }
        }
        try await Task.sleep(for: .seconds(5))
        reader.cancel()
        await consumer.close()
    }
}

private func progress(_ line: String) {
    FileHandle.standardError.write(Data("aggregator-memory: \(line)\n".utf8))
}

/// The aggregator executable as a child process, with its memory read from /proc.
private struct ChildAggregator {
    let process = Process()

    init(hub: HubConfiguration) throws {
        let directory = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        process.executableURL = directory.appendingPathComponent("flotilla-aggregator")
        var environment = ProcessInfo.processInfo.environment
        environment[ConfigurationKey.kafkaBootstrap.rawValue] = hub.kafka.bootstrapServers
        environment[ConfigurationKey.topicPrefix.rawValue] = hub.topicPrefix
        environment[ConfigurationKey.modelRoot.rawValue] = FileManager.default.temporaryDirectory.appendingPathComponent(hub.topicPrefix).path
        environment[ConfigurationKey.kafkaFetchWaitMilliseconds.rawValue] = "10"
        environment[ConfigurationKey.logLevel.rawValue] = ProcessInfo.processInfo.environment[ConfigurationKey.logLevel.rawValue] ?? "warning"
        process.environment = environment
        try process.run()
    }

    struct Memory { var resident: Int; var peak: Int }

    func memory() throws -> Memory {
        let status = try String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)
        func kilobytes(_ field: String) -> Int {
            let line = status.split(separator: "\n").first { $0.hasPrefix(field + ":") } ?? ""
            return (Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) * 1024
        }
        return Memory(resident: kilobytes("VmRSS"), peak: kilobytes("VmHWM"))
    }

    /// Resets VmHWM to the current RSS (Linux: write 5 to clear_refs).
    func resetPeak() throws {
        try "5".write(toFile: "/proc/\(process.processIdentifier)/clear_refs", atomically: false, encoding: .utf8)
    }

    func stop() {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }
}

/// Round events of the benchmark's job as they arrive (model pieces skipped).
private final class RoundEvents: Sendable {
    let consumer: KafkaConsumer
    init(consumer: KafkaConsumer) { self.consumer = consumer }

    func next<P: EventPayload>(_ type: P.Type, within limit: Duration = .seconds(600)) async throws -> P {
        try await withThrowingTaskGroup(of: P.self) { group in
            group.addTask {
                for try await message in self.consumer.messages {
                    guard let envelope = try? EventEnvelope(message: message), envelope.type == P.eventType else { continue }
                    return try P(from: envelope)
                }
                throw CancellationError()
            }
            group.addTask {
                try await Task.sleep(for: limit)
                throw BenchTimeout(waitingFor: P.eventType.rawValue, limit: limit)
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
    }
}
