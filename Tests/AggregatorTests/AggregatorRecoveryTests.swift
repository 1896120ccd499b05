import Foundation
import Learning
import Testing
@testable import Aggregator
@testable import Shared

/// Crash the aggregator at every point of a job — after any input, with any prefix of that
/// input's decisions published — rebuild it from the log, and let the job finish: every round
/// must end with exactly the model of the run that never crashed, and a decision published
/// twice must be the same event twice (same id, same content).
@Suite struct AggregatorRecoveryTests {
    static let clusters = ["c1", "c2", "c3"]
    static let rounds = 3

    /// A model of another layout than `spec.training`'s, uploaded as the job's initial model.
    static let uploaded = ModelArchitecture.mlp(inputs: 4, hidden: 3, classes: 3).initialParameters(seed: 9)

    static func job(_ strategy: AggregationStrategy, initialModel: String? = nil) -> JobSubmitted {
        JobSubmitted(job: FederatedLearningJob(
            metadata: ObjectMeta(name: "job-r"),
            spec: FederatedLearningSpec(
                server: ServerSpec(rounds: rounds, minAvailableClients: 3, storage: StorageSpec(path: "/models"), initialModel: initialModel),
                client: ClientSpec(placement: PlacementSpec(predicates: [ClusterPredicate(requiredClusterSelector: ClusterSelector(
                    claimSelector: ClusterClaimSelector(matchExpressions: [SelectorRequirement(key: "data", operator: .exists)])
                ))])),
                training: TrainingSpec(model: .softmaxRegression, inputs: 4, classes: 3),
                aggregation: RoundPolicy(strategy: strategy)
            )
        ))
    }

    /// The log as the broker would hold it, and collaborators that answer every round.
    struct Simulation {
        var log: [ConsumedEvent] = []
        /// Inputs written to the log that the aggregator has not consumed yet.
        var pending: [ConsumedEvent] = []
        var models: [Int: ModelParameters] = [:]

        mutating func write(_ envelope: EventEnvelope, input: Bool) {
            let event = ConsumedEvent(
                envelope: envelope, message: KafkaConsumerMessage(topic: envelope.type.topic.rawValue, partition: 0, offset: Int64(log.count), value: []),
                topic: envelope.type.topic
            )
            log.append(event)
            if input { pending.append(event) }
        }

        mutating func publish(_ actions: [AggregatorAction], namespaces: (String) -> String) {
            for action in actions {
                guard let (jobID, name) = action.identity else { continue }
                let id = EventIdentity.derived(namespace: namespaces(jobID), name: name)
                switch action {
                case .publishModel(let model):
                    models[model.event.version] = model.event.parameters
                    write(model.envelope(source: "test", id: id), input: false)
                case .publishRoundStarted(let started):
                    write(started.envelope(source: "test", id: id, time: .distantPast), input: false)
                    answer(started)
                case .publishPhase(let change): write(change.envelope(source: "test", id: id, time: .distantPast), input: true)
                case .publishRoundCompleted(let completed): write(completed.envelope(source: "test", id: id, time: .distantPast), input: false)
                case .publishRejection(let rejection): write(rejection.envelope(source: "test", id: id, time: .distantPast), input: false)
                case .publishDeadlineExtended(let extended): write(extended.envelope(source: "test", id: id, time: .distantPast), input: false)
                case .requestMoreClients(let request): write(request.envelope(source: "test", id: id, time: .distantPast), input: false)
                case .reannounceRound(let started, _):
                    write(started.envelope(source: "test", id: id, time: .distantPast), input: false)
                    answer(started)
                case .storeModel, .restoreModel: continue
                }
            }
        }

        /// Each participant trains: the base model plus its own deterministic change.
        mutating func answer(_ started: RoundStarted) {
            guard let base = models[started.baseVersion] else { return }
            for (index, participant) in started.participants.enumerated() {
                var generator = SeededGenerator(seed: UInt64(started.round * 10 + index))
                let trained = ModelParameters(tensors: base.tensors.map { tensor in
                    Tensor(name: tensor.name, shape: tensor.shape, values: tensor.values.map { $0 + generator.nextFloat(in: -0.5, 0.5) })
                })
                let update = ModelUpdateSubmitted(
                    jobID: started.jobID, round: started.round, cluster: participant.cluster, examples: 10 + 7 * index, loss: 0.5,
                    baseModelSHA256: started.baseModelSHA256, parameters: trained
                )
                write(update.envelope(source: "test", id: "update-\(started.round)-\(participant.cluster)", time: .distantPast), input: true)
            }
        }
    }

    static func handle(_ event: ConsumedEvent, _ coordinator: inout AggregationCoordinator, initial: ModelParameters?) throws -> [AggregatorAction] {
        switch event.envelope.type {
        case .jobSubmitted: return coordinator.jobSubmitted(try event.payload(JobSubmitted.self), eventID: event.envelope.id, initialModel: initial)
        case .placementDecided: return coordinator.placementDecided(try event.payload(PlacementDecided.self))
        case .modelUpdateSubmitted: return coordinator.updateSubmitted(try event.model(ModelUpdateSubmitted.self), eventID: event.envelope.id)
        case .jobPhaseChanged: coordinator.phaseChanged(try event.payload(JobPhaseChanged.self))
        default: break
        }
        return []
    }

    /// Runs the job, crashing once after input `crashAfter` with only `published` of its
    /// decisions out; returns the log.
    /// `initial`: the job starts from this uploaded model, which the restarted aggregator reads again.
    static func run(_ strategy: AggregationStrategy, crashAfter: Int?, published: Int, initial: ModelParameters? = nil) throws -> [ConsumedEvent] {
        var simulation = Simulation()
        var coordinator = AggregationCoordinator()
        let submitted = job(strategy, initialModel: initial.map { AppArchive.digest(of: SafeTensors.encode($0)) })
        simulation.write(submitted.envelope(source: "test", id: "submission-1", time: .distantPast), input: true)
        simulation.write(AggregationCoordinatorTests.placement(clusters).envelope(source: "test", id: "placement-1", time: .distantPast).renamed("job-r"), input: true)
        var consumed = 0
        while !simulation.pending.isEmpty {
            let input = simulation.pending.removeFirst()
            let actions = try handle(input, &coordinator, initial: initial)
            consumed += 1
            guard consumed == crashAfter else {
                simulation.publish(actions, namespaces: coordinator.eventNamespace(of:))
                continue
            }
            simulation.publish(Array(actions.prefix(published)), namespaces: coordinator.eventNamespace(of:))
            // SIGKILL. A new aggregator replays the whole log and continues after it.
            let resumed: [AggregatorAction]
            (coordinator, resumed) = rebuild(from: simulation.log, initial: initial.map { .success($0) })
            simulation.pending.removeAll()
            simulation.publish(resumed, namespaces: coordinator.eventNamespace(of:))
        }
        return simulation.log
    }

    /// What a restarted aggregator does with the log: decisions first, then the updates.
    /// `initial`: what reading the job's initial model gives, when it names one.
    static func rebuild(from log: [ConsumedEvent], initial: Result<ModelParameters, InitialModelError>? = nil) -> (AggregationCoordinator, [AggregatorAction]) {
        var recovery = AggregatorRecovery(now: Date(timeIntervalSince1970: 0))
        for event in log where event.topic != .updates && event.envelope.type != .globalModelPublished { recovery.apply(event) }
        let needed = recovery.jobsNeedingInitialModels.map(\.id)
        recovery.beginUpdates(initialModels: initial.map { model in Dictionary(uniqueKeysWithValues: needed.map { ($0, model) }) } ?? [:])
        for event in log where event.topic == .updates { recovery.apply(event) }
        return recovery.finish()
    }

    /// Each round's completion, checking that a completion published twice is the same event.
    static func completions(_ log: [ConsumedEvent]) throws -> [RoundCompleted] {
        var byID: [String: RoundCompleted] = [:]
        for event in log where event.envelope.type == .roundCompleted {
            let completed = try event.payload(RoundCompleted.self)
            if let earlier = byID[event.envelope.id] { #expect(earlier == completed, "round \(completed.round) was published twice, differently") }
            byID[event.envelope.id] = completed
        }
        return byID.values.sorted { $0.round < $1.round }
    }

    @Test(arguments: [AggregationStrategy.fedAvg, .fedAdam(), .krum(f: 0)])
    func aCrashAnywhereEndsEveryRoundWithTheSameModel(_ strategy: AggregationStrategy) throws {
        let reference = try Self.completions(Self.run(strategy, crashAfter: nil, published: 0))
        #expect(reference.map(\.round) == Array(1...Self.rounds))
        let inputs = 2 + Self.rounds * Self.clusters.count
        for crashAfter in 1...inputs {
            for published in 0...5 {
                let log = try Self.run(strategy, crashAfter: crashAfter, published: published)
                let completions = try Self.completions(log)
                #expect(completions.map(\.modelSHA256) == reference.map(\.modelSHA256), "crash after input \(crashAfter), \(published) decisions out")
                #expect(completions.map { $0.contributions.compactMap(\.updateEventID) } == reference.map { $0.contributions.compactMap(\.updateEventID) })
                let phases = try log.filter { $0.envelope.type == .jobPhaseChanged }.map { try $0.payload(JobPhaseChanged.self).phase }
                #expect(phases.last == .completed && !phases.contains(.failed), "crash after input \(crashAfter): \(phases)")
            }
        }
    }

    /// The job starts from an uploaded model whose layout is not `spec.training`'s: every round
    /// is built on it, and a restart anywhere re-aggregates from it to the same models.
    @Test func aJobStartsFromItsUploadedModelAndRecoversFromItAfterACrash() throws {
        let log = try Self.run(.fedAvg, crashAfter: nil, published: 0, initial: Self.uploaded)
        let reference = try Self.completions(log)
        #expect(reference.map(\.round) == Array(1...Self.rounds))
        let first = try #require(log.first { $0.envelope.type == .globalModelPublished }).model(GlobalModelPublished.self)
        #expect(first.version == 0 && first.parameters == Self.uploaded, "round 1 starts from the uploaded model")
        for crashAfter in 1...(2 + Self.rounds * Self.clusters.count) {
            let crashed = try Self.completions(Self.run(.fedAvg, crashAfter: crashAfter, published: 1, initial: Self.uploaded))
            #expect(crashed.map(\.modelSHA256) == reference.map(\.modelSHA256), "crash after input \(crashAfter)")
        }
    }

    /// A restarted aggregator that cannot read the job's initial model (the blob is gone from
    /// the log) fails the job with the reason; it never starts it from another model.
    @Test func aJobWhoseInitialModelCannotBeReadAgainFailsWithTheReason() throws {
        var log = try Self.run(.fedAvg, crashAfter: nil, published: 0, initial: Self.uploaded)
        log.removeAll { $0.envelope.type == .jobPhaseChanged && (try? $0.payload(JobPhaseChanged.self).phase) == .completed }
        let (coordinator, actions) = Self.rebuild(from: log, initial: .failure(InitialModelError("sha256:00 is not on the hub")))
        #expect(coordinator.phase(of: "job-r") == .failed)
        let changes = actions.compactMap { action -> JobPhaseChanged? in
            if case .publishPhase(let change) = action { return change }
            return nil
        }
        #expect(changes.map(\.reason) == ["InitialModelRefused"], "\(changes)")
        #expect(changes.first?.message.contains("is not on the hub") == true)
    }

    @Test func aCompletedRoundThatNoLongerReaggregatesFailsTheJobWithTheReason() throws {
        var log = try Self.run(.fedAvg, crashAfter: nil, published: 0)
        // Keep the job running (drop its completion) and tamper with one logged update of round 1.
        log.removeAll { $0.envelope.type == .jobPhaseChanged && (try? $0.payload(JobPhaseChanged.self).phase) == .completed }
        log.removeAll { $0.envelope.type == .roundCompleted && (try? $0.payload(RoundCompleted.self).round) == Self.rounds }
        let index = try #require(log.firstIndex { $0.envelope.id == "update-1-c2" })
        var update = try log[index].model(ModelUpdateSubmitted.self)
        update.examples += 1
        log[index].envelope = update.envelope(source: "test", id: "update-1-c2", time: .distantPast)

        let (coordinator, actions) = Self.rebuild(from: log)
        #expect(coordinator.phase(of: "job-r") == .failed)
        let changes = actions.compactMap { action -> JobPhaseChanged? in
            if case .publishPhase(let change) = action { return change }
            return nil
        }
        let change = try #require(changes.first, "no phase change in \(actions)")
        #expect(changes.count == 1)
        #expect(change.reason == "RecoveryFailed")
        #expect(change.message.contains("round 1 re-aggregates to sha256"), "\(change.message)")
    }
}

extension EventEnvelope {
    /// The fixture placement is for job-a; these tests run job-r.
    func renamed(_ jobID: String) -> EventEnvelope {
        var copy = self
        copy.subject = jobID
        copy.data = Array(String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\"job-a\"", with: "\"\(jobID)\"").utf8)
        return copy
    }
}
