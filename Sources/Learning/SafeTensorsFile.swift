import Foundation

/// Safetensors files on disk with no copy of the model in between: a file is written straight
/// from the tensors' own memory, segment by segment, and read by mapping it, so decoding into
/// the tensors' arrays is the only copy. This is how the collaborator hands a global model to
/// a trainer and takes its update back.
public enum SafeTensorsFile {
    public struct FileError: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// The data section starts at a multiple of 64 bytes (a cache line; the format allows any
    /// header padding). The Flower adapter copies the first tensor into a Python `bytes` whose
    /// data, after a 128-byte .npy header, lies 176 bytes into a page: from a 64-aligned source
    /// that copy's destination runs 48 bytes ahead or 16 behind its source within a page, never
    /// the 8 to 24 ahead where each load waits on the store before it (4K aliasing) and the
    /// kernel's copy runs a third slower.
    public static let dataAlignment = 64

    /// Writes `parameters` to `url` (replacing the file), from each tensor's memory.
    public static func write(_ parameters: ModelParameters, metadata: [String: String] = [:], to url: URL) throws(FileError) {
        let descriptor = open(url.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw FileError(description: "cannot create \(url.path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        var failure: String?
        SafeTensors.forEachSegment(of: parameters, metadata: metadata, dataAlignment: dataAlignment) { segment in
            var rest = segment[...]
            while failure == nil, !rest.isEmpty {
                let written = rest.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = "cannot write \(url.path): \(String(cString: strerror(errno)))"
                } else {
                    rest = rest.dropFirst(written)
                }
            }
        }
        if let failure { throw FileError(description: failure) }
    }

    /// Reads and decodes the file at `url`, which may be at most `byteLimit` bytes. The file is
    /// mapped, not read into memory first.
    public static func read(_ url: URL, byteLimit: Int) throws -> DecodedModel {
        let data = try Data(contentsOf: url, options: .alwaysMapped)
        guard data.count <= byteLimit else { throw FileError(description: "\(url.lastPathComponent) is \(data.count) bytes; at most \(byteLimit) expected") }
        var decoder = SafeTensorsStreamDecoder(byteLimit: data.count)
        data.withUnsafeBytes { decoder.append($0) }
        return try decoder.finish()
    }
}
