import Foundation
import Shared

/// Writes global models and their manifests under the configured root, atomically
/// (write to a temporary file, then rename), so a reader never sees half a model.
struct ModelStore: Sendable {
    let root: String

    func url(for path: String) -> URL {
        URL(fileURLWithPath: root).appendingPathComponent(path.hasPrefix("/") ? String(path.dropFirst()) : path)
    }

    func store(_ model: StoredModel) throws {
        let modelURL = url(for: model.path)
        try FileManager.default.createDirectory(at: modelURL.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(model.bytes).write(to: modelURL, options: .atomic)
        let manifestURL = modelURL.deletingPathExtension().appendingPathExtension("json")
        let encoder = JSONCoding.encoder
        encoder.outputFormatting.insert(.prettyPrinted)
        try encoder.encode(model.manifest).write(to: manifestURL, options: .atomic)
    }
}
