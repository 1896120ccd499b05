import Foundation
import Testing
@testable import Learning

/// Checks files against the reference implementation (`pip install safetensors numpy`);
/// skipped when python3 or the package is missing.
@Suite("SafeTensors interoperability with Python", .enabled(if: Python.hasSafeTensors))
struct SafeTensorsPythonTests {
    @Test func pythonLoadsOurFiles() throws {
        let directory = try TemporaryDirectory()
        let path = directory.url.appendingPathComponent("model.safetensors").path
        let parameters = ModelArchitecture.mlp(inputs: 5, hidden: 3, classes: 2).initialParameters(seed: 4)
        try Data(SafeTensors.encode(parameters, metadata: ["round": "7"])).write(to: URL(fileURLWithPath: path))

        let output = try Python.run("""
            from safetensors import safe_open
            with safe_open("\(path)", framework="numpy") as f:
                print(f.metadata()["round"])
                for name in sorted(f.keys()):
                    t = f.get_tensor(name)
                    print(name, str(t.dtype), list(t.shape), repr(float(t.astype("float64").sum())))
            """)
        var expected = ["7"]
        for tensor in parameters.tensors {
            let sum = tensor.values.reduce(0.0) { $0 + Double($1) }
            expected.append("\(tensor.name) float32 \(tensor.shape) \(sum)")
        }
        let lines = output.split(separator: "\n").map(String.init)
        #expect(lines.count == expected.count)
        for (line, wanted) in zip(lines, expected) {
            let (lineFields, wantedFields) = (line.split(separator: " "), wanted.split(separator: " "))
            #expect(lineFields.dropLast() == wantedFields.dropLast())
            if let got = Double(lineFields.last ?? ""), let want = Double(wantedFields.last ?? "") {
                #expect(abs(got - want) <= 1e-9 * max(1, abs(want)))
            }
        }
    }

    @Test func weDecodePythonFiles() throws {
        let directory = try TemporaryDirectory()
        let path = directory.url.appendingPathComponent("py.safetensors").path
        _ = try Python.run("""
            import numpy as np
            from safetensors.numpy import save_file
            save_file({"z.w": np.arange(6, dtype=np.float32).reshape(2, 3), "a.b": np.array([0.5, -1.5], dtype=np.float32)},
                      "\(path)", metadata={"origin": "python"})
            """)
        let (parameters, metadata) = try SafeTensors.decode([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))))
        #expect(metadata == ["origin": "python"])
        #expect(parameters.tensors == [
            Tensor(name: "a.b", shape: [2], values: [0.5, -1.5]),
            Tensor(name: "z.w", shape: [2, 3], values: [0, 1, 2, 3, 4, 5]),
        ])
    }
}

enum Python {
    static let hasSafeTensors: Bool = (try? run("import safetensors, numpy")) != nil

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs a python3 script and returns its standard output; throws if it exits non-zero.
    static func run(_ script: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script]
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw Failure(description: "python3 failed: \(errorText)") }
        return text
    }
}
