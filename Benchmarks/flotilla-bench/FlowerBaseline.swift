import Foundation
import Learning

/// Runs Benchmarks/flower/aggregate.py with python3 when `flwr` is importable.
enum FlowerBaseline {
    struct Key: Hashable {
        var strategy: String
        var shape: AggregationBenchmark.Shape
    }

    static func measure(fedAvg: [AggregationBenchmark.Shape], robust: [AggregationBenchmark.Shape], repetitions: Int) -> [Key: Double] {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("flower/aggregate.py").path
        guard (try? python(["-c", "import flwr"])) != nil else {
            print("  (Flower not measured: python3 cannot import flwr; `pip install flwr` to compare)")
            return [:]
        }
        let jobs = fedAvg.flatMap { shape in ["fedAvg", "fedAvgMessage"].map { [$0, shape.clients, shape.parameters] as [Any] } }
            + robust.flatMap { shape in ["fedMedian", "trimmedMean", "krum"].map { [$0, shape.clients, shape.parameters] as [Any] } }
        guard let arguments = try? JSONSerialization.data(withJSONObject: jobs), let output = try? python([script, String(decoding: arguments, as: UTF8.self), String(repetitions)]) else {
            print("  (Flower measurement failed)")
            return [:]
        }
        var result: [Key: Double] = [:]
        for line in output.split(separator: "\n") {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let strategy = object["strategy"] as? String, let clients = object["clients"] as? Int,
                  let parameters = object["parameters"] as? Int, let seconds = object["seconds"] as? Double else { continue }
            result[Key(strategy: strategy, shape: AggregationBenchmark.Shape(clients: clients, parameters: parameters))] = seconds
        }
        return result
    }

    private static func python(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CocoaError(.executableLoad) }
        return String(decoding: data, as: UTF8.self)
    }
}
