import Shared
import Synchronization

/// What the projection is working on, for `/readyz`: the message it has been trying to apply
/// and since when. A message that is neither applied nor dead-lettered within the stall limit
/// (PostgreSQL keeps failing, a lock is never released) makes the status API not ready, since
/// everything it serves is then growing old. It also keeps where the projection stands on
/// each partition, so `/readyz` can tell how far behind the log it is (``lag(behind:)``).
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
    /// The next offset to project, per topic and partition (as stored in PostgreSQL).
    private let positions = Mutex<[String: [Int32: Int64]]>([:])

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
        advanced(past: message)
    }

    /// Where the projection resumes: the offsets stored in PostgreSQL.
    func start(at stored: [String: [Int32: Int64]]) {
        positions.withLock { $0 = stored }
    }

    /// The projection is done with `message` (applied, or skipped after dead-lettering).
    func advanced(past message: KafkaConsumerMessage) {
        positions.withLock { positions in
            positions[message.topic, default: [:]][message.partition] = max(positions[message.topic]?[message.partition] ?? 0, message.offset + 1)
        }
    }

    /// How many messages of `ends` (each partition's end offset) are not projected yet. A few
    /// are always counted: markers other services write are read but store no offset.
    func lag(behind ends: [KafkaTopicPartitionOffset]) -> Int64 {
        positions.withLock { positions in
            ends.reduce(0) { $0 + max(0, $1.offset - (positions[$1.topic]?[$1.partition] ?? 0)) }
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
