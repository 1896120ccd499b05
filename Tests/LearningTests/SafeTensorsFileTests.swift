import Foundation
import Testing
@testable import Learning

/// Files written from the tensors' memory and read by mapping hold the same header and data as
/// the in-memory encoder gives (only the header's padding differs: the data starts at a
/// multiple of 64), and read back the same model.
@Suite struct SafeTensorsFileTests {
    /// The file's JSON header without its padding, where its data starts, and the data.
    static func parts(_ bytes: [UInt8]) -> (header: String, dataStart: Int, data: ArraySlice<UInt8>) {
        let length = Int(bytes[0..<8].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
        let header = String(decoding: bytes[8..<8 + length], as: UTF8.self)
        return (header.trimmingCharacters(in: .whitespaces), 8 + length, bytes[(8 + length)...])
    }

    static func expectSameModelAsTheEncoder(_ file: [UInt8], _ encoded: [UInt8]) {
        let (fileParts, encodedParts) = (parts(file), parts(encoded))
        #expect(fileParts.header == encodedParts.header)
        #expect(fileParts.data == encodedParts.data)
        #expect(fileParts.dataStart % SafeTensorsFile.dataAlignment == 0, "data at \(fileParts.dataStart)")
    }

    @Test func aWrittenFileIsTheEncodersBytesAndReadsBackTheSameModel() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("safetensors-file-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let model = ModelArchitecture.mlp(inputs: 37, hidden: 19, classes: 5).initialParameters(seed: 3)
        let url = directory.appendingPathComponent("model.safetensors")
        try SafeTensorsFile.write(model, metadata: ["round": "4"], to: url)
        Self.expectSameModelAsTheEncoder(Array(try Data(contentsOf: url)), SafeTensors.encode(model, metadata: ["round": "4"]))
        let decoded = try SafeTensorsFile.read(url, byteLimit: 1 << 20)
        guard case .finite(let finite) = decoded.values else { Issue.record("not finite"); return }
        #expect(finite.parameters == model && decoded.metadata == ["round": "4"])

        // Rewritten smaller, nothing of the longer file is left behind.
        let small = ModelArchitecture.softmaxRegression(inputs: 2, classes: 2).initialParameters(seed: 1)
        try SafeTensorsFile.write(small, to: url)
        Self.expectSameModelAsTheEncoder(Array(try Data(contentsOf: url)), SafeTensors.encode(small))
        #expect(throws: SafeTensorsFile.FileError.self) { try SafeTensorsFile.read(url, byteLimit: 10) }
        #expect(throws: SafeTensorsFile.FileError.self) { try SafeTensorsFile.write(small, to: directory.appendingPathComponent("missing/dir/x")) }
    }

    @Test(arguments: [1, 2, 3, 5, 8, 13])
    func theDataStartsAtAMultipleOf64WhateverTheHeadersLength(_ width: Int) throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("aligned-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        let model = ModelArchitecture.mlp(inputs: width, hidden: width * 7, classes: 3).initialParameters(seed: UInt64(width))
        try SafeTensorsFile.write(model, metadata: ["note": String(repeating: "x", count: width)], to: url)
        Self.expectSameModelAsTheEncoder(Array(try Data(contentsOf: url)), SafeTensors.encode(model, metadata: ["note": String(repeating: "x", count: width)]))
        guard case .finite(let finite) = try SafeTensorsFile.read(url, byteLimit: 1 << 20).values else { Issue.record("not finite"); return }
        #expect(finite.parameters == model)
    }
}
