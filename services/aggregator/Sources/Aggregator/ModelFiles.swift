import Foundation
import Synchronization

/// Where the aggregator keeps global models: on disk under the model root (``ModelStore``) or,
/// for in-process tests of the service's handling, in memory (``InMemoryModelFiles``).
protocol ModelFiles: Sendable {
    func store(_ model: StoredModel) throws
    /// Writes `model` unless its file already has exactly its bytes; returns whether it wrote.
    @discardableResult
    func restore(_ model: StoredModel) throws -> Bool
    /// Fault injection: half a model left at its final path, as a crash mid-write would.
    func writeTorn(_ model: StoredModel) throws
}

extension ModelStore: ModelFiles {}

/// The in-memory twin of ``ModelStore``: files by path.
final class InMemoryModelFiles: ModelFiles {
    private let files = Mutex<[String: StoredModel]>([:])

    var stored: [String: StoredModel] { files.withLock { $0 } }

    func store(_ model: StoredModel) { files.withLock { $0[model.path] = model } }

    func restore(_ model: StoredModel) -> Bool {
        files.withLock { files in
            guard files[model.path]?.bytes != model.bytes else { return false }
            files[model.path] = model
            return true
        }
    }

    func writeTorn(_ model: StoredModel) {
        var torn = model
        torn.bytes = Array(model.bytes.prefix(model.bytes.count / 2))
        files.withLock { $0[model.path] = torn }
    }
}
