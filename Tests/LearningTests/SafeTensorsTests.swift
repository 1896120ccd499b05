import Foundation
import Testing
@testable import Learning

@Suite("SafeTensors")
struct SafeTensorsTests {
    static let sample = ModelParameters(tensors: [
        Tensor(name: "b.weight", shape: [2, 3], values: [1, -2, 3.5, 0, .leastNonzeroMagnitude, -0.25]),
        Tensor(name: "a.bias", shape: [2], values: [7, 8]),
        Tensor(name: "scalar", shape: [], values: [42]),
        Tensor(name: "empty", shape: [0, 4], values: []),
    ])

    /// A file built by hand: the 8-byte length, the header as given (unpadded) and the data.
    static func file(header: String, data: [UInt8] = []) -> [UInt8] {
        let headerBytes = Array(header.utf8)
        return withUnsafeBytes(of: UInt64(headerBytes.count).littleEndian, Array.init) + headerBytes + data
    }

    static func decodeError(_ bytes: [UInt8]) -> SafeTensorsError? {
        do {
            _ = try SafeTensors.decode(bytes)
            return nil
        } catch {
            return error
        }
    }

    @Test func roundTripSortsByNameAndKeepsValuesAndMetadata() throws {
        let bytes = SafeTensors.encode(Self.sample, metadata: ["format": "pt", "round": "3"])
        let (decoded, metadata) = try SafeTensors.decode(bytes)
        #expect(decoded == Self.sample.sortedByName())
        #expect(decoded.tensors.map(\.name) == ["a.bias", "b.weight", "empty", "scalar"])
        #expect(metadata == ["format": "pt", "round": "3"])
    }

    @Test func byteLayoutFollowsTheFormat() throws {
        let parameters = ModelParameters(tensors: [
            Tensor(name: "w", shape: [2], values: [1, 2]),
            Tensor(name: "b", shape: [1], values: [-1]),
        ])
        let bytes = SafeTensors.encode(parameters)
        let headerLength = Int(bytes[0..<8].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
        #expect(headerLength % 8 == 0)
        #expect(bytes.count == 8 + headerLength + 12)

        let header = try #require(String(bytes: bytes[8..<8 + headerLength], encoding: .utf8))
        let expectedJSON = #"{"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"w":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#
        #expect(header.hasPrefix(expectedJSON))
        #expect(header.dropFirst(expectedJSON.count).allSatisfy { $0 == " " })
        #expect(header.count - expectedJSON.count < 8)

        // Data: b then w, little-endian float32, no gaps.
        let data = Array(bytes[(8 + headerLength)...])
        let floats = stride(from: 0, to: data.count, by: 4).map { offset in
            Float(bitPattern: data[offset..<offset + 4].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
        }
        #expect(floats == [-1, 1, 2])
    }

    @Test func metadataAndNamesAreEscapedAsJSON() throws {
        let tricky = ModelParameters(tensors: [Tensor(name: "layer \"1\"\\ é\n", shape: [1], values: [1])])
        let (decoded, metadata) = try SafeTensors.decode(SafeTensors.encode(tricky, metadata: ["note": "tab\there \u{1}"]))
        #expect(decoded == tricky)
        #expect(metadata == ["note": "tab\there \u{1}"])
    }

    @Test func metadataIsReadWithoutDecodingTensors() throws {
        let bytes = SafeTensors.encode(Self.sample, metadata: ["flotilla.round": "4"])
        #expect(try SafeTensors.metadata(of: bytes) == ["flotilla.round": "4"])
        #expect(try SafeTensors.metadata(of: SafeTensors.encode(Self.sample)).isEmpty)
        #expect(throws: SafeTensorsError.fileTooShort(byteCount: 5)) { try SafeTensors.metadata(of: [0, 0, 0, 0, 0]) }
    }

    @Test func emptyModelRoundTrips() throws {
        let bytes = SafeTensors.encode(ModelParameters(tensors: []))
        #expect(bytes.count == 16)
        #expect(try SafeTensors.decode(bytes).parameters.tensors.isEmpty)
    }

    @Test func rejectsShortFilesAndBadHeaderLengths() {
        #expect(Self.decodeError([1, 2, 3]) == .fileTooShort(byteCount: 3))
        var huge = Self.file(header: "{}")
        huge[7] = 0x7F
        #expect(Self.decodeError(huge) == .headerLengthOutOfRange(declared: UInt64(0x7F) << 56 | 2, available: 2))
        let tooLong = Array(Self.file(header: "{}").prefix(8)) + Array("{}".utf8)
        var claimsMore = tooLong
        claimsMore[0] = 3
        #expect(Self.decodeError(claimsMore) == .headerLengthOutOfRange(declared: 3, available: 2))
    }

    @Test func rejectsHeadersThatAreNotJSONObjects() {
        guard case .headerNotJSON = Self.decodeError(Self.file(header: "{\"a\": ")) else {
            Issue.record("truncated JSON accepted")
            return
        }
        guard case .headerNotJSON = Self.decodeError(Self.file(header: "[1, 2]  ")) else {
            Issue.record("non-object header accepted")
            return
        }
    }

    @Test func rejectsNonFloat32NamingTensorAndDType() {
        let error = Self.decodeError(Self.file(
            header: #"{"embed":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]))
        #expect(error == .unsupportedDType(tensor: "embed", dtype: "F16"))
        #expect(error?.description.contains("'embed'") == true)
        #expect(error?.description.contains("F16") == true)
    }

    @Test func rejectsShapeThatDisagreesWithByteLength() {
        let error = Self.decodeError(Self.file(
            header: #"{"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,20]}}"#, data: Array(repeating: 0, count: 20)))
        #expect(error == .byteLengthMismatch(tensor: "w", shape: [2, 3], expectedBytes: 24, actualBytes: 20))
        #expect(error?.description.contains("'w'") == true)
    }

    @Test func rejectsOffsetsBeyondTheData() {
        let error = Self.decodeError(Self.file(
            header: #"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, data: [0, 0, 0, 0]))
        #expect(error == .offsetsOutOfRange(tensor: "w", begin: 0, end: 8, dataLength: 4))
    }

    @Test func rejectsOverlapsGapsAndTrailingBytes() {
        let overlap = Self.file(
            header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#,
            data: Array(repeating: 0, count: 8))
        #expect(Self.decodeError(overlap) == .overlappingTensors(first: "a", second: "b"))

        let gap = Self.file(
            header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}"#,
            data: Array(repeating: 0, count: 12))
        #expect(Self.decodeError(gap) == .gapBeforeTensor(tensor: "b", expectedOffset: 4, actualOffset: 8))

        var trailing = SafeTensors.encode(Self.sample)
        trailing += [1, 2, 3]
        #expect(Self.decodeError(trailing) == .trailingBytes(count: 3))
    }

    @Test func rejectsMalformedFieldsNamingThem() {
        let missing = Self.decodeError(Self.file(header: #"{"w":{"dtype":"F32","shape":[1]}}"#, data: [0, 0, 0, 0]))
        #expect(missing == .missingField(tensor: "w", field: "data_offsets"))

        let negative = Self.decodeError(Self.file(header: #"{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#))
        #expect(negative == .invalidField(tensor: "w", field: "shape", reason: "item 0 must be a non-negative integer, found -1"))

        let threeOffsets = Self.decodeError(Self.file(header: #"{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4,8]}}"#))
        guard case .invalidField(tensor: "w", field: "data_offsets", _) = threeOffsets else {
            Issue.record("three offsets accepted: \(String(describing: threeOffsets))")
            return
        }
        let badMetadata = Self.decodeError(Self.file(header: #"{"__metadata__":{"epoch":3}}"#))
        #expect(badMetadata == .invalidMetadata(reason: "value for key 'epoch' must be a string, found an integer"))
    }

    @Test func largeTensorsRoundTripExactly() throws {
        var generator = SeededGenerator(seed: 9)
        let values = (0..<300_001).map { _ in generator.nextFloat(in: -1000, 1000) }
        let parameters = ModelParameters(tensors: [Tensor(name: "big", shape: [300_001], values: values)])
        #expect(try SafeTensors.decode(SafeTensors.encode(parameters)).parameters == parameters)
    }
}
