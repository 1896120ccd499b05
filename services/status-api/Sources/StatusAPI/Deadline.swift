import Synchronization

/// Waits for an operation at most `timeout`. The operation runs in a task of its own that is
/// cancelled when time is up, so one that ignores cancellation (a query on a connection that
/// no longer answers) cannot hold the caller: a request is answered in time either way.
enum Deadline {
    struct Exceeded: Error, CustomStringConvertible {
        var timeout: Duration
        var description: String { "no answer within \(timeout)" }
    }

    static func run<T: Sendable>(within timeout: Duration, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        let outcome = Outcome<T>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                outcome.start(continuation, work: Task {
                    do { outcome.finish(.success(try await operation())) } catch { outcome.finish(.failure(error)) }
                }, timer: Task {
                    guard (try? await Task.sleep(for: timeout)) != nil else { return }
                    outcome.finish(.failure(Exceeded(timeout: timeout)))
                })
            }
        } onCancel: {
            outcome.finish(.failure(CancellationError()))
        }
    }

    /// Whichever ends first (the work, the timer, the caller's cancellation) resumes the
    /// caller once and cancels the other tasks.
    private final class Outcome<T: Sendable>: Sendable {
        private struct State {
            var continuation: CheckedContinuation<T, any Error>?
            var tasks: [Task<Void, Never>] = []
            var early: Result<T, any Error>?
        }
        private let state = Mutex(State())

        func start(_ continuation: CheckedContinuation<T, any Error>, work: Task<Void, Never>, timer: Task<Void, Never>) {
            let early: Result<T, any Error>? = state.withLock { state in
                state.tasks = [work, timer]
                guard let early = state.early else {
                    state.continuation = continuation
                    return nil
                }
                return early
            }
            if let early {
                work.cancel()
                timer.cancel()
                continuation.resume(with: early)
            }
        }

        func finish(_ result: Result<T, any Error>) {
            let (continuation, tasks) = state.withLock { state -> (CheckedContinuation<T, any Error>?, [Task<Void, Never>]) in
                if state.continuation == nil && state.early == nil && state.tasks.isEmpty { state.early = result }
                defer { state.continuation = nil }
                return (state.continuation, state.continuation == nil ? [] : state.tasks)
            }
            tasks.forEach { $0.cancel() }
            continuation?.resume(with: result)
        }
    }
}
