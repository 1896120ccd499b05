import ArgumentParser
import Foundation
import Learning
import Shared

/// The model a submitted job starts from (`spec.server.initialModel`): a safetensors file the
/// user names, or, for a Flower app, the `initial_arrays` its own `ServerApp` hands to its
/// strategy, recorded by the Flower adapter (`flotilla_flower.py initial-model`), so an
/// unmodified Flower app needs no extra step.
enum InitialModelFile {
    /// Reads and checks a safetensors file, so a bad one is named before anything is uploaded.
    static func read(_ path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else { throw ValidationError("--initial-model: cannot read '\(path)'") }
        let bytes = [UInt8](data)
        do {
            _ = try InitialModel.model(in: bytes)
        } catch {
            throw ValidationError("--initial-model: \(path) \(error.reason)")
        }
        return bytes
    }

    /// Runs the app's ServerApp through the Flower adapter (`FLOTILLA_FLOWER_ADAPTER`, with
    /// `FLOTILLA_PYTHON`) up to its strategy's `start(...)` and returns the arrays it was handed.
    /// `config` overrides the app's run config, as it does on the clusters.
    static func fromServerApp(of app: String, config: [String: TrainerConfigValue]) throws -> [UInt8] {
        let python = ProcessEnvironment.value(ConfigurationKey.python.rawValue) ?? ConfigurationKey.python.defaultValue ?? "python3"
        guard let adapter = ProcessEnvironment.value(ConfigurationKey.flowerAdapter.rawValue), !adapter.isEmpty else {
            throw ValidationError(
                "the Flower app's initial model comes from its ServerApp, run by the Flower adapter: set \(ConfigurationKey.flowerAdapter.rawValue) "
                    + "to trainers/flower/flotilla_flower.py, or pass --initial-model FILE.safetensors"
            )
        }
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("flotilla-initial-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: out) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [python, adapter, "initial-model", "--app", app, "--out", out.path]
        var environment = ProcessInfo.processInfo.environment
        environment["FLOTILLA_CONFIG"] = String(decoding: try JSONCoding.encoder.encode(config), as: UTF8.self)
        process.environment = environment
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw ValidationError("cannot run \(python) \(adapter): \(error)")
        }
        let stderr = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let tail = String(decoding: stderr.suffix(2_000), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw ValidationError("the app's ServerApp gave no initial model (exit \(process.terminationStatus)); pass --initial-model FILE.safetensors instead:\n\(tail)")
        }
        return try read(out.path)
    }
}
