import Foundation
import Testing
@testable import Learning

@Suite("LabeledImages")
struct LabeledImagesTests {
    static func sample() throws -> LabeledImages {
        // Four 2×2 images whose pixels are exact multiples of 1/255, labelled 3, 1, 3, 0.
        let pixels = (0..<16).map { Float($0 * 17) / 255 }
        return try LabeledImages(pixels: pixels, labels: [3, 1, 3, 0], rows: 2, columns: 2)
    }

    @Test func writesIDXFilesThatLoadMNISTReadsBack() throws {
        let directory = try TemporaryDirectory()
        let shard = directory.url.appendingPathComponent("client-1")
        let images = try Self.sample()
        try images.write(to: shard, split: .train)
        try images.prefix(2).write(to: shard, split: .test)

        let names = try FileManager.default.contentsOfDirectory(atPath: shard.path).sorted()
        #expect(names == ["t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", "train-images-idx3-ubyte", "train-labels-idx1-ubyte"])
        let train = try LabeledImages.loadMNIST(directory: shard, split: .train)
        #expect(train == images)
        #expect(try LabeledImages.loadMNIST(directory: shard, split: .test).labels == [3, 1])
    }

    @Test func filteredKeepsOrderAndOnlyTheRequestedDigits() throws {
        let images = try Self.sample()
        let threes = images.filtered(digits: [3])
        #expect(threes.count == 2)
        #expect(threes.labels == [3, 3])
        #expect(threes.pixels == Array(images.pixels[0..<4] + images.pixels[8..<12]))
        #expect(images.filtered(digits: [7]).count == 0)
        #expect(images.prefix(10) == images)
        #expect(images.prefix(-1).count == 0)
        #expect(images.labelCounts == [1, 1, 0, 2])
    }

    @Test func loadReportsMissingFilesAndCountMismatch() throws {
        let directory = try TemporaryDirectory()
        #expect(throws: DatasetError.self) { try LabeledImages.loadMNIST(directory: directory.url, split: .test) }

        let images = directory.url.appendingPathComponent("images"), labels = directory.url.appendingPathComponent("labels")
        try Data(IDX.encodeImages(pixels: [0, 0, 0, 0], count: 1, rows: 2, columns: 2)).write(to: images)
        try Data(IDX.encodeLabels([1, 2])).write(to: labels)
        #expect(throws: DatasetError.countMismatch(images: 1, labels: 2)) {
            try LabeledImages.load(imagesAt: images, labelsAt: labels)
        }
        #expect(throws: DatasetError.invalidFile(path: labels.path, .unexpectedMagic(expected: IDX.imagesMagic, found: IDX.labelsMagic))) {
            try LabeledImages.load(imagesAt: labels, labelsAt: labels)
        }
    }

    @Test func initRejectsMismatchedPixelCounts() {
        #expect(throws: DatasetError.pixelCountMismatch(expected: 8, actual: 7)) {
            try LabeledImages(pixels: Array(repeating: 0, count: 7), labels: [0, 1], featureCount: 4)
        }
    }

    @Test func syntheticIsDeterministicBalancedAndInRange() throws {
        let first = try LabeledImages.synthetic(count: 90, featureCount: 12, classes: 3, seed: 5)
        #expect(first == (try LabeledImages.synthetic(count: 90, featureCount: 12, classes: 3, seed: 5)))
        #expect(first != (try LabeledImages.synthetic(count: 90, featureCount: 12, classes: 3, seed: 6)))
        #expect(first.labelCounts == [30, 30, 30])
        #expect(first.pixels.allSatisfy { (0...1).contains($0) })
        #expect(throws: DatasetError.self) { try LabeledImages.synthetic(count: 10, featureCount: 2, classes: 3, seed: 0) }
    }
}
