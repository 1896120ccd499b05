import Foundation

/// Safetensors files on disk with no copy of the model in between: a file is written straight
/// from the tensors' own memory, segment by segment, and read by mapping it, so decoding into
/// the tensors' arrays is the only copy. This is how the collaborator hands a global model to
/// a trainer and takes its update back.
public enum SafeTensorsFile {
    public struct FileError: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// Writes `parameters` to `url` (replacing the file), from each tensor's memory.
    public static func write(_ parameters: ModelParameters, metadata: [String: String] = [:], to url: URL) throws(FileError) {
        let descriptor = open(url.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw FileError(description: "cannot create \(url.path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        var failure: String?
        SafeTensors.forEachSegment(of: parameters, metadata: metadata) { segment in
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
