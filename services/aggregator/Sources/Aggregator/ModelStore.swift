import Foundation
import Shared

/// Writes global models and their manifests under the configured root, atomically
/// (write to a temporary file, then rename), so a reader never sees half a model. Every path
/// is confined to the root (``ConfinedPath``): `..` and symbolic links cannot lead out of it.
struct ModelStore: Sendable {
    let root: String

    func url(for path: String) throws(PathConfinementError) -> URL {
        try ConfinedPath(path, under: root).url
    }

    /// Refuses a job whose model directory would lie outside the root, before any round runs.
    func checkDirectory(of job: FederatedLearningJob) throws(PathConfinementError) {
        _ = try ConfinedPath("\(job.spec.server.storage.path)/\(job.id)", under: root)
    }

    func store(_ model: StoredModel) throws {
        let modelURL = try url(for: model.path)
        try FileManager.default.createDirectory(at: modelURL.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Self.write(model.bytes, to: modelURL)
        let manifestURL = modelURL.deletingPathExtension().appendingPathExtension("json")
        let encoder = JSONCoding.encoder
        encoder.outputFormatting.insert(.prettyPrinted)
        try encoder.encode(model.manifest).write(to: manifestURL, options: .atomic)
    }

    /// Writes atomically from the array's own memory (`Data(bytes)` would copy the whole model).
    static func write(_ bytes: [UInt8], to url: URL) throws {
        try bytes.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return try Data().write(to: url, options: .atomic) }
            try Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: base), count: raw.count, deallocator: .none).write(to: url, options: .atomic)
        }
    }

    /// Writes `model` unless the file on disk already has exactly its bytes. Returns whether it wrote.
    @discardableResult
    func restore(_ model: StoredModel) throws -> Bool {
        let existing = try? Data(contentsOf: try url(for: model.path))
        if let existing, existing.count == model.bytes.count, ModelDigest.sha256(Array(existing)) == model.manifest.sha256 { return false }
        try store(model)
        return true
    }

    /// Fault injection: leaves the first half of the model at its final path, as a crash in the
    /// middle of a non-atomic write would.
    func writeTorn(_ model: StoredModel) throws {
        let modelURL = try url(for: model.path)
        try FileManager.default.createDirectory(at: modelURL.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(model.bytes.prefix(model.bytes.count / 2)).write(to: modelURL)
    }
}
