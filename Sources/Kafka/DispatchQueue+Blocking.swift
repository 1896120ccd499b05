import Dispatch

extension DispatchQueue {
    /// Runs blocking librdkafka work on this queue (never on the cooperative pool) and
    /// suspends the caller until it finishes.
    func runBlocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            self.async {
                continuation.resume(with: Result { try body() })
            }
        }
    }
}
