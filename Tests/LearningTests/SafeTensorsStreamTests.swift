import Testing
@testable import Learning

/// The stream decoder must decode, piece by piece, exactly what `decode` decodes from the whole
/// file, and refuse exactly what it refuses, with the same error, wherever the pieces split
/// the length field, the header, a tensor or a single value.
@Suite("SafeTensors: decoding as pieces arrive")
struct SafeTensorsStreamTests {
    static let pieceSizes = [1, 3, 5, 8, 13, 64, 1000, 1 << 20]

    static func streamed(_ bytes: [UInt8], pieceSize: Int, byteLimit: Int? = nil) -> Result<DecodedModel, SafeTensorsError> {
        var decoder = SafeTensorsStreamDecoder(byteLimit: byteLimit ?? bytes.count)
        var start = 0
        while start < bytes.count {
            decoder.append(Array(bytes[start..<min(bytes.count, start + pieceSize)]))
            start += pieceSize
        }
        return Result { () throws(SafeTensorsError) in try decoder.finish() }
    }

    static func batch(_ bytes: [UInt8]) -> Result<(ModelParameters, [String: String]), SafeTensorsError> {
        Result { () throws(SafeTensorsError) in try SafeTensors.decode(bytes) }
    }

    static let validFiles: [(String, [UInt8])] = [
        ("sample", SafeTensors.encode(SafeTensorsTests.sample, metadata: ["flotilla.round": "3", "note": "tab\there"])),
        ("large and odd-sized tensors", SafeTensors.encode(SafeTensorsFiniteTests.model(), metadata: ["k": "v"])),
        ("NaN in a large tensor", SafeTensors.encode(SafeTensorsFiniteTests.model(("c.large", 150_017, .nan)))),
        ("infinity in the last value", SafeTensors.encode(SafeTensorsFiniteTests.model(("b.dense", 110, -.infinity)))),
        ("empty model", SafeTensors.encode(ModelParameters(tensors: []))),
    ]

    @Test(arguments: validFiles.indices)
    func validFilesDecodeAsFromTheWholeBuffer(file: Int) throws {
        let (label, bytes) = Self.validFiles[file]
        let (expected, metadata) = try SafeTensors.decode(bytes)
        for size in Self.pieceSizes {
            let decoded = try Self.streamed(bytes, pieceSize: size).get()
            #expect(decoded.metadata == metadata, "\(label), pieces of \(size)")
            switch decoded.values {
            case let .finite(parameters):
                #expect(parameters.parameters == expected && expected.allFinite, "\(label), pieces of \(size)")
            case let .nonFinite(parameters, first):
                // NaN != NaN, so compare bit patterns.
                #expect(parameters.tensors.map { $0.values.map(\.bitPattern) } == expected.tensors.map { $0.values.map(\.bitPattern) }, "\(label)")
                #expect(parameters.tensors.map(\.name) == expected.tensors.map(\.name))
                #expect(first == expected.tensors.first { !$0.allFinite }?.name, "\(label)")
            }
        }
    }

    /// The malformed files `SafeTensorsTests` checks `decode` against, plus truncations.
    static var malformedFiles: [(String, [UInt8])] {
        let file = SafeTensorsTests.file
        var huge = file("{}", [])
        huge[7] = 0x7F
        var claimsMore = Array(file("{}", []).prefix(8)) + Array("{}".utf8)
        claimsMore[0] = 3
        let whole = SafeTensors.encode(SafeTensorsTests.sample)
        return [
            ("3 bytes", [1, 2, 3]),
            ("huge header length", huge),
            ("header length past the file", claimsMore),
            ("truncated JSON", file("{\"a\": ", [])),
            ("JSON array", file("[1, 2]  ", [])),
            ("F16", file(#"{"embed":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}}"#, [0, 0, 0, 0])),
            ("shape and bytes disagree", file(#"{"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,20]}}"#, Array(repeating: 0, count: 20))),
            ("offsets past the data", file(#"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, [0, 0, 0, 0])),
            ("overlap", file(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, Array(repeating: 0, count: 8))),
            ("gap", file(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}"#, Array(repeating: 0, count: 12))),
            ("trailing bytes", whole + [1, 2, 3]),
            ("missing field", file(#"{"w":{"dtype":"F32","shape":[1]}}"#, [0, 0, 0, 0])),
            ("bad metadata", file(#"{"__metadata__":{"epoch":3}}"#, [])),
            ("last byte missing", Array(whole.dropLast())),
            ("half the data missing", Array(whole.prefix(whole.count - 20))),
            ("header cut short", Array(whole.prefix(30))),
            ("length field cut short", Array(whole.prefix(5))),
        ]
    }

    @Test func malformedFilesFailWithDecodesOwnError() throws {
        for (label, bytes) in Self.malformedFiles {
            guard case let .failure(expected) = Self.batch(bytes) else {
                Issue.record("\(label): decode accepted it")
                continue
            }
            for size in Self.pieceSizes {
                guard case let .failure(error) = Self.streamed(bytes, pieceSize: size) else {
                    Issue.record("\(label), pieces of \(size): accepted")
                    continue
                }
                #expect(error == expected, "\(label), pieces of \(size)")
                // A transfer only bounds its size from above: the same error, except that an
                // impossible header length is measured against that bound.
                guard case let .failure(bounded) = Self.streamed(bytes, pieceSize: size, byteLimit: bytes.count + 37) else {
                    Issue.record("\(label), bounded, pieces of \(size): accepted")
                    continue
                }
                if case let .headerLengthOutOfRange(declared, _) = expected, declared > UInt64(bytes.count + 29) {
                    #expect(bounded == .headerLengthOutOfRange(declared: declared, available: bytes.count + 29), "\(label)")
                } else {
                    #expect(bounded == expected, "\(label), bounded, pieces of \(size)")
                }
            }
        }
    }

    @Test func aHeaderClaimingMoreThanTheTransferCarriesIsRefusedBeforeAnyAllocation() {
        // 4 GB declared, in a transfer that can carry 1 KB: refused when the header completes.
        let header = #"{"w":{"dtype":"F32","shape":[1000000000],"data_offsets":[0,4000000000]}}"#
        let file = SafeTensorsTests.file(header: header, data: [0, 0, 0, 0])
        var decoder = SafeTensorsStreamDecoder(byteLimit: 1024)
        decoder.append(file)
        let dataStart = 8 + header.utf8.count
        #expect(throws: SafeTensorsError.offsetsOutOfRange(tensor: "w", begin: 0, end: 4_000_000_000, dataLength: 1024 - dataStart)) {
            try decoder.finish()
        }
    }

    @Test func aSizeClaimBeyondTheLargestFileIsNotBelieved() {
        let header = #"{"w":{"dtype":"F32","shape":[4000000000],"data_offsets":[0,16000000000]}}"#
        var decoder = SafeTensorsStreamDecoder(byteLimit: Int.max)
        decoder.append(SafeTensorsTests.file(header: header))
        let dataStart = 8 + header.utf8.count
        #expect(throws: SafeTensorsError.offsetsOutOfRange(tensor: "w", begin: 0, end: 16_000_000_000, dataLength: SafeTensorsStreamDecoder.largestFile - dataStart)) {
            try decoder.finish()
        }
    }
}
