import Foundation
import Testing
@testable import Learning

@Suite("IDX")
struct IDXTests {
    @Test func imagesRoundTripWithBigEndianHeader() throws {
        let pixels = (0..<2 * 3 * 4).map { UInt8($0 * 10) }
        let bytes = try IDX.encodeImages(pixels: pixels, count: 2, rows: 3, columns: 4)
        #expect(Array(bytes.prefix(16)) == [0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4])
        let decoded = try IDX.decodeImages(bytes)
        #expect(decoded.count == 2 && decoded.rows == 3 && decoded.columns == 4)
        #expect(decoded.pixels == pixels)
    }

    @Test func labelsRoundTrip() throws {
        let labels: [UInt8] = [5, 0, 4, 1, 9]
        let bytes = try IDX.encodeLabels(labels)
        #expect(Array(bytes.prefix(8)) == [0, 0, 8, 1, 0, 0, 0, 5])
        #expect(try IDX.decodeLabels(bytes) == labels)
    }

    @Test func rejectsWrongMagic() throws {
        let labels = try IDX.encodeLabels([1, 2])
        let error = #expect(throws: IDXError.self) { try IDX.decodeImages(labels) }
        #expect(error == .unexpectedMagic(expected: IDX.imagesMagic, found: IDX.labelsMagic))
        #expect(error?.description.contains("0x00000801") == true)

        #expect(throws: IDXError.badMagic(found: 0x0100_0801)) { try IDX.decode([1, 0, 8, 1, 0, 0, 0, 0]) }
        #expect(throws: IDXError.unsupportedElementType(code: 0x0D)) { try IDX.decode([0, 0, 0x0D, 1, 0, 0, 0, 0]) }
        #expect(throws: IDXError.compressed) { try IDX.decode([0x1F, 0x8B, 8, 0]) }
    }

    @Test func rejectsTruncatedAndOverlongData() throws {
        let bytes = try IDX.encodeImages(pixels: Array(repeating: 1, count: 8), count: 2, rows: 2, columns: 2)
        #expect(throws: IDXError.lengthMismatch(dimensions: [2, 2, 2], expectedBytes: 8, actualBytes: 7)) {
            try IDX.decodeImages(Array(bytes.dropLast()))
        }
        #expect(throws: IDXError.lengthMismatch(dimensions: [2, 2, 2], expectedBytes: 8, actualBytes: 9)) {
            try IDX.decodeImages(bytes + [0])
        }
        #expect(throws: IDXError.fileTooShort(byteCount: 10, needed: 16)) {
            try IDX.decodeImages(Array(bytes.prefix(10)))
        }
    }

    @Test func encodeRejectsDimensionsThatDoNotMatchValues() {
        #expect(throws: IDXError.lengthMismatch(dimensions: [1, 2, 2], expectedBytes: 4, actualBytes: 3)) {
            try IDX.encodeImages(pixels: [1, 2, 3], count: 1, rows: 2, columns: 2)
        }
    }
}
