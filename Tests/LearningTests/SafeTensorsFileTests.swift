import Foundation
import Testing
@testable import Learning

/// Files written from the tensors' memory and read by mapping are the same bytes and values as
/// the in-memory encoder and decoder give.
@Suite struct SafeTensorsFileTests {
    @Test func aWrittenFileIsTheEncodersBytesAndReadsBackTheSameModel() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("safetensors-file-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let model = ModelArchitecture.mlp(inputs: 37, hidden: 19, classes: 5).initialParameters(seed: 3)
        let url = directory.appendingPathComponent("model.safetensors")
        try SafeTensorsFile.write(model, metadata: ["round": "4"], to: url)
        #expect(Array(try Data(contentsOf: url)) == SafeTensors.encode(model, metadata: ["round": "4"]))
        let decoded = try SafeTensorsFile.read(url, byteLimit: 1 << 20)
        guard case .finite(let finite) = decoded.values else { Issue.record("not finite"); return }
        #expect(finite.parameters == model && decoded.metadata == ["round": "4"])

        // Rewritten smaller, nothing of the longer file is left behind.
        let small = ModelArchitecture.softmaxRegression(inputs: 2, classes: 2).initialParameters(seed: 1)
        try SafeTensorsFile.write(small, to: url)
        #expect(Array(try Data(contentsOf: url)) == SafeTensors.encode(small))
        #expect(throws: SafeTensorsFile.FileError.self) { try SafeTensorsFile.read(url, byteLimit: 10) }
        #expect(throws: SafeTensorsFile.FileError.self) { try SafeTensorsFile.write(small, to: directory.appendingPathComponent("missing/dir/x")) }
    }
}
