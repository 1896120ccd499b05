import Synchronization

/// Outstanding producer sends by id. The id travels as the message's opaque pointer, so a
/// delivery report finds its continuation, and shutdown can fail whatever never got one.
final class RDKafkaDeliveryRegistry: Sendable {
    typealias Delivery = (partition: Int32, offset: Int64)
    typealias Continuation = CheckedContinuation<Delivery, any Error>

    private struct State {
        var nextID: UInt = 1
        var pending: [UInt: Continuation] = [:]
    }

    private let state = Mutex(State())

    /// Registers a continuation and returns its non-zero id.
    func register(_ continuation: Continuation) -> UInt {
        state.withLock { state in
            let id = state.nextID
            state.nextID &+= 1
            if state.nextID == 0 { state.nextID = 1 }
            state.pending[id] = continuation
            return id
        }
    }

    func complete(_ id: UInt, with result: Result<Delivery, any Error>) {
        let continuation = state.withLock { $0.pending.removeValue(forKey: id) }
        continuation?.resume(with: result)
    }

    var count: Int {
        state.withLock { $0.pending.count }
    }

    /// Fails every outstanding send (used once the handle is about to be destroyed).
    func failAll(with error: KafkaError) {
        let continuations = state.withLock { state in
            defer { state.pending.removeAll() }
            return Array(state.pending.values)
        }
        for continuation in continuations {
            continuation.resume(throwing: error)
        }
    }
}
