import Shared
import Synchronization

/// Whether the projection keeps up with the log, for `/readyz`, measured in time on any
/// broker (watermarks cannot be trusted on every one): a marker is written into each projected
/// partition (``ConsumerCatchUp``) and must come back through the projection within `limit`.
/// It never holds a request: an answer is the last probe's, or "lagging" once the probe in
/// flight has taken longer than `limit`. A new probe starts when the last answer is older than
/// `freshFor`, one at a time, so markers are written only as often as `/readyz` is asked.
final class CatchUpProbe: Sendable {
    private struct State {
        var started: ContinuousClock.Instant?
        var inFlight = false
        var checkedAt: ContinuousClock.Instant?
        var problem: String?
    }

    private let wait: @Sendable () async throws -> Void
    let limit: Duration
    private let freshFor: Duration
    private let state = Mutex(State())

    init(limit: Duration, freshFor: Duration = .seconds(2), wait: @escaping @Sendable () async throws -> Void) {
        self.limit = limit
        self.freshFor = freshFor
        self.wait = wait
    }

    convenience init(_ catchUp: ConsumerCatchUp, topics: [Topic], limit: Duration) {
        self.init(limit: limit) { try await catchUp.wait(for: topics, patience: .seconds(3600)) }
    }

    /// Why the projection counts as lagging, or nil.
    func problem() -> String? {
        let (answer, start) = state.withLock { state -> (String?, Bool) in
            let now = ContinuousClock.now
            if state.inFlight, let started = state.started {
                guard now - started > limit else { return (state.problem, false) }
                let seconds = Int((now - started).components.seconds)
                return ("the projection has not read what was written \(seconds) s ago (it lags the log by more than \(limit), \(ConfigurationKey.readyMaxLagSeconds.rawValue))", false)
            }
            if let checkedAt = state.checkedAt, now - checkedAt < freshFor { return (state.problem, false) }
            state.inFlight = true
            state.started = now
            return (state.problem, true)
        }
        if start {
            Task { [weak self] in
                guard let self else { return }
                let problem: String?
                do {
                    try await wait()
                    problem = nil
                } catch {
                    problem = "cannot tell whether the projection keeps up (\(error))"
                }
                state.withLock { state in
                    state.inFlight = false
                    state.checkedAt = .now
                    state.problem = problem
                }
            }
        }
        return answer
    }
}
