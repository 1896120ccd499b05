import Shared
import Synchronization

/// What the projection is working on, for `/readyz`: the message it has been trying to apply
/// and since when. A message that is neither applied nor dead-lettered within the stall limit
/// (PostgreSQL keeps failing, a lock is never released) makes the status API not ready, since
/// everything it serves is then growing old.
final class ProjectionHealth: Sendable {
    private struct Attempt {
        var topic: String
        var partition: Int32
        var offset: Int64
        var since: ContinuousClock.Instant
        var failures = 0
        var lastError: String?

        func isFor(_ message: KafkaConsumerMessage) -> Bool {
            topic == message.topic && partition == message.partition && offset == message.offset
        }
    }

    let stallLimit: Duration
    private let current = Mutex<Attempt?>(nil)

    init(stallLimit: Duration) {
        self.stallLimit = stallLimit
    }

    /// Runs one attempt at `message`, keeping the time of the first attempt across retries.
    func attempt(_ message: KafkaConsumerMessage, _ body: () async throws -> Void) async throws {
        current.withLock { current in
            if current?.isFor(message) != true {
                current = Attempt(topic: message.topic, partition: message.partition, offset: message.offset, since: .now)
            }
        }
        do {
            try await body()
        } catch {
            guard PostgresFailure.permanentReason(error) == nil else {
                finished(message)  // dead-lettered: the projection moves on
                throw error
            }
            current.withLock { current in
                guard current?.isFor(message) == true else { return }
                current?.failures += 1
                current?.lastError = "\(error)"
            }
            throw error
        }
        finished(message)
    }

    private func finished(_ message: KafkaConsumerMessage) {
        current.withLock { current in
            if current?.isFor(message) == true { current = nil }
        }
    }

    /// Why the projection counts as stuck, or nil while it keeps up.
    var problem: String? {
        current.withLock { attempt -> String? in
            guard let attempt else { return nil }
            let waited = ContinuousClock.now - attempt.since
            guard waited > stallLimit else { return nil }
            let seconds = Int(waited.components.seconds)
            let failures = attempt.failures == 0 ? "still in progress" : "\(attempt.failures) failed attempts, last: \(attempt.lastError ?? "?")"
            return "the projection is stuck on \(attempt.topic)[\(attempt.partition)]@\(attempt.offset) for \(seconds) s (\(failures))"
        }
    }
}
