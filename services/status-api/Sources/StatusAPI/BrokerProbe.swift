import Shared
import Synchronization

/// Whether the broker answers a metadata request, for `/readyz`. The answer is kept for a
/// moment (probes cost a connection each) and one probe runs at a time; a probe that takes
/// longer than `timeout` counts as "not reachable" while it goes on in the background.
final class BrokerProbe: Sendable {
    private struct State {
        var checkedAt: ContinuousClock.Instant?
        var problem: String?
        var running: Task<String?, Never>?
    }

    private let check: @Sendable () async -> String?
    private let timeout: Duration
    private let freshFor: Duration
    private let state = Mutex(State())

    init(timeout: Duration = .seconds(1), freshFor: Duration = .seconds(2), check: @escaping @Sendable () async -> String?) {
        self.check = check
        self.timeout = timeout
        self.freshFor = freshFor
    }

    /// Asks for the partitions of `topic`: a real round trip to the broker.
    convenience init(admin: KafkaAdmin, topic: String) {
        self.init { () -> String? in
            do {
                _ = try await admin.partitionCount(of: topic)
                return nil
            } catch {
                return "the broker does not answer (\(error))"
            }
        }
    }

    /// Why the broker counts as unreachable, or nil if it answered.
    func problem() async -> String? {
        enum Answer { case known(String?), pending(Task<String?, Never>) }
        let answer: Answer = state.withLock { state in
            if let checkedAt = state.checkedAt, ContinuousClock.now - checkedAt < freshFor { return .known(state.problem) }
            if let running = state.running { return .pending(running) }
            let check = self.check
            let running = Task<String?, Never> { [weak self] in
                let problem = await check()
                self?.record(problem)
                return problem
            }
            state.running = running
            return .pending(running)
        }
        switch answer {
        case let .known(problem):
            return problem
        case let .pending(probe):
            do {
                return try await Deadline.run(within: timeout) { await probe.value }
            } catch {
                return "the broker does not answer within \(timeout)"
            }
        }
    }

    private func record(_ problem: String?) {
        state.withLock { state in
            state.checkedAt = .now
            state.problem = problem
            state.running = nil
        }
    }
}
