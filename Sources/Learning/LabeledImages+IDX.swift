import Foundation

extension LabeledImages {
    /// Loads an IDX images file and its labels file, scaling pixels from 0...255 to 0...1.
    public static func load(imagesAt imagesURL: URL, labelsAt labelsURL: URL) throws(DatasetError) -> LabeledImages {
        let imageBytes = try readBytes(imagesURL)
        let labelBytes = try readBytes(labelsURL)
        let images: (count: Int, rows: Int, columns: Int, pixels: [UInt8])
        let labels: [UInt8]
        do {
            images = try IDX.decodeImages(imageBytes)
        } catch { throw .invalidFile(path: imagesURL.path, error) }
        do {
            labels = try IDX.decodeLabels(labelBytes)
        } catch { throw .invalidFile(path: labelsURL.path, error) }
        guard images.count == labels.count else { throw .countMismatch(images: images.count, labels: labels.count) }
        return try LabeledImages(pixels: scaledToUnit(images.pixels), labels: labels, rows: images.rows, columns: images.columns)
    }

    /// Loads one MNIST split from a directory holding the four uncompressed IDX files
    /// (`train-images-idx3-ubyte`, `train-labels-idx1-ubyte`, `t10k-...`).
    public static func loadMNIST(directory: URL, split: MNISTSplit) throws(DatasetError) -> LabeledImages {
        try load(
            imagesAt: directory.appendingPathComponent(split.imagesFileName),
            labelsAt: directory.appendingPathComponent(split.labelsFileName))
    }

    /// Writes the images (pixels rounded back to 0...255) and labels as IDX files under the
    /// MNIST names for `split`, creating the directory if needed, so `loadMNIST` reads them back.
    public func write(to directory: URL, split: MNISTSplit) throws(DatasetError) {
        let imageBytes: [UInt8]
        let labelBytes: [UInt8]
        do {
            imageBytes = try IDX.encodeImages(pixels: LabeledImages.bytes(from: pixels), count: count, rows: rows, columns: columns)
            labelBytes = try IDX.encodeLabels(labels)
        } catch {
            throw .invalidArgument("cannot encode \(count) images of \(rows)×\(columns) as IDX: \(error)")
        }
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw .unwritableFile(path: directory.path, reason: error.localizedDescription)
        }
        try LabeledImages.writeBytes(imageBytes, to: directory.appendingPathComponent(split.imagesFileName))
        try LabeledImages.writeBytes(labelBytes, to: directory.appendingPathComponent(split.labelsFileName))
    }

    static func readBytes(_ url: URL) throws(DatasetError) -> [UInt8] {
        do {
            return [UInt8](try Data(contentsOf: url))
        } catch {
            throw .unreadableFile(path: url.path, reason: error.localizedDescription)
        }
    }

    static func writeBytes(_ bytes: [UInt8], to url: URL) throws(DatasetError) {
        do {
            try Data(bytes).write(to: url, options: .atomic)
        } catch {
            throw .unwritableFile(path: url.path, reason: error.localizedDescription)
        }
    }

    static func scaledToUnit(_ bytes: [UInt8]) -> [Float] {
        [Float](unsafeUninitializedCapacity: bytes.count) { output, initialized in
            bytes.withUnsafeBufferPointer { input in
                for index in input.indices { output[index] = Float(input[index]) / 255 }
            }
            initialized = bytes.count
        }
    }

    /// Inverse of `scaledToUnit`; values outside 0...1 (or NaN) are clamped rather than trapping.
    static func bytes(from values: [Float]) -> [UInt8] {
        values.map { value in
            let scaled = (value * 255).rounded()
            return scaled >= 255 ? 255 : (scaled > 0 ? UInt8(scaled) : 0)
        }
    }
}
