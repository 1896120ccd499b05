import Foundation
import Learning
import Logging
import ServiceLifecycle
import Synchronization
import Testing
@testable import Shared

/// A service that rebuilds from the log reads up to a marker, then consumes live just past
/// it. A large event sent in pieces can straddle that point: its first pieces replayed, the
/// rest live. The live consumer must complete it (before the fix it refused every later
/// piece as "a piece is missing", and a collaborator lost the round's global model).
@Suite(.timeLimit(.minutes(2)))
struct ReplayHandoverTests {
    @Test func aModelSentAcrossTheReplaysEndArrivesWhole() async throws {
        let stack = try await TestStack.make(clusters: 1, label: "handover")
        let model = GlobalModelPublished(jobID: "job-h", version: 0, parameters: ModelArchitecture.softmaxRegression(inputs: 40, classes: 5).initialParameters(seed: 4))
        let envelope = EncodedModel(model).envelope(source: "test", id: "handover-model")
        let pieces = Array(envelope.pieces(maximumBytes: 64))
        #expect(pieces.count > 10)
        let (producer, publisher) = try EventPublisher.make(configuration: stack.hub, source: "test", logger: stack.logger)
        let received = Received()
        let replayDone = AsyncStream.makeStream(of: Void.self)
        let go = AsyncStream.makeStream(of: Void.self)
        let source = EventSource(service: "handover", configuration: stack.hub, publisher: publisher, logger: stack.logger)
        let consumer = ConsumerService(source: source, go: go.stream, replayDone: replayDone.continuation, received: received)
        try await stack.running([producer, consumer]) {
            try await TopicBootstrap.ensureTopics(admin: KafkaAdmin(configuration: stack.hub.kafka, logger: stack.logger), prefix: stack.hub.topicPrefix)
            // The first half before the replay's marker...
            for piece in pieces.prefix(pieces.count / 2) { try await publisher.publish(piece) }
            go.continuation.yield()
            var waiting = replayDone.stream.makeAsyncIterator()
            await waiting.next()
            // ...the rest after it, read live.
            for piece in pieces.dropFirst(pieces.count / 2) { try await publisher.publish(piece) }
            try await ConsumedEventValidationTests.waitUntil("the model arrives whole", timeout: .seconds(30)) { !received.models.isEmpty }
        }
        #expect(received.models.map(\.parameters) == [model.parameters])
    }

    final class Received: Sendable {
        private let stored = Mutex<[GlobalModelPublished]>([])
        var models: [GlobalModelPublished] { stored.withLock { $0 } }
        func add(_ model: GlobalModelPublished) { stored.withLock { $0.append(model) } }
    }

    /// Consumes `flotilla.rounds` from a replay that starts when told to, decoding models.
    struct ConsumerService: Service {
        let source: EventSource
        let go: AsyncStream<Void>
        let replayDone: AsyncStream<Void>.Continuation
        let received: Received

        func run() async throws {
            var waiting = go.makeAsyncIterator()
            await waiting.next()
            try await source.consume([.rounds], from: .replay { replay in
                let ends = try await replay.replay([.rounds]) { _ in }
                replayDone.yield()
                return ends
            }, hooks: .init(models: .decode)) { event in
                guard event.envelope.type == .globalModelPublished else { return }
                received.add(try event.model(GlobalModelPublished.self))
            }
        }
    }
}
