import ArgumentParser
import Foundation
import Learning

/// The collaborator's side of handing a model to a trainer program and taking its update
/// back: the global model written as a safetensors file, the update read and decoded. Written
/// from the tensors' own memory and read by mapping (`SafeTensorsFile`), against the plain way
/// (encode to an array, copy to `Data`, write; read to `Data`, copy to an array, decode).
/// Goal: at least 1 GB/s each way; best of 3, page cache warm (a trainer's files are fresh).
struct TrainerFilesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trainer-files", abstract: "Writing the model for a trainer and reading its update back, in GB/s (goal >= 1 GB/s)."
    )

    @Option(help: "Model parameters (float32).") var parameters = 100_000_000

    func run() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("flotilla-trainer-files-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let rows = 10_000
        var generator = SeededGenerator(seed: 7)
        let values = (0..<parameters).map { _ in generator.nextFloat(in: -1, 1) }
        let model = ModelParameters(tensors: [
            Tensor(name: "layer.weight", shape: [rows, parameters / rows], values: Array(values.prefix(rows * (parameters / rows)))),
        ])
        let url = directory.appendingPathComponent("model.safetensors")
        let gigabytes = Double(model.byteCount) / 1e9
        print(String(format: "trainer-files: %d parameters (%.2f GB), best of 3", model.parameterCount, gigabytes))

        let write = best { try SafeTensorsFile.write(model, to: url) }
        let plainWrite = best { try Data(SafeTensors.encode(model)).write(to: url) }
        let limit = model.byteCount + (1 << 20)
        let read = best { _ = try SafeTensorsFile.read(url, byteLimit: limit) }
        let plainRead = best { _ = try SafeTensors.decode([UInt8](try Data(contentsOf: url))) }
        for (name, seconds, plain) in [("model out (to the trainer)", write, plainWrite), ("update in (from the trainer)", read, plainRead)] {
            let rate = gigabytes / seconds
            print(String(format: "  %@: %.2f GB/s (%.0f ms); plain way %.2f GB/s; goal 1 GB/s: %@", name, rate, seconds * 1000, gigabytes / plain, rate >= 1 ? "met" : "NOT met"))
        }
    }

    private func best(_ body: () throws -> Void) -> Double {
        (0..<3).map { _ in
            let start = ContinuousClock.now
            do { try body() } catch { print("  failed: \(error)") }
            let elapsed = (ContinuousClock.now - start).components
            return Double(elapsed.seconds) + Double(elapsed.attoseconds) * 1e-18
        }.min() ?? .infinity
    }
}
