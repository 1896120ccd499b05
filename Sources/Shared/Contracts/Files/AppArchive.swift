import Crypto
import Foundation

/// A trainer app as it travels to the clusters: a POSIX ustar archive of regular files and
/// directories only, packed the same way every time (sorted names, no owners, times zeroed),
/// so the same directory always has the same sha256 and is stored once.
///
/// Unpacking trusts nothing: every name must stay inside the target (no absolute path, no
/// `..`), links and devices are refused, sizes and counts are bounded, and a header whose
/// checksum does not match is an error.
public enum AppArchive {
    public static let maximumFiles = 10_000
    public static let maximumBytes = 256 << 20
    /// Names left out when packing: caches and version control, never part of an app.
    static let skipped: Set<String> = ["__pycache__", ".git", ".venv", ".mypy_cache", ".pytest_cache"]

    public struct Problem: Error, CustomStringConvertible, Equatable {
        public var description: String
        init(_ description: String) { self.description = description }
    }

    /// `sha256:<hex>` of an archive's bytes: how jobs name apps.
    public static func digest(of bytes: some DataProtocol) -> String {
        "sha256:" + SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }

    /// True for `sha256:` followed by 64 lowercase hex digits.
    public static func isDigest(_ text: String) -> Bool {
        guard text.hasPrefix("sha256:") else { return false }
        let hex = text.dropFirst(7)
        return hex.count == 64 && hex.allSatisfy { ("0"..."9").contains($0) || ("a"..."f").contains($0) }
    }

    // MARK: Packing

    public static func pack(directory: URL) throws -> [UInt8] {
        let root = directory.standardizedFileURL.resolvingSymlinksInPath()
        var entries: [(name: String, url: URL, isDirectory: Bool)] = []
        try collect(root, prefix: "", into: &entries)
        guard entries.count <= maximumFiles else { throw Problem("\(directory.path) holds more than \(maximumFiles) files") }
        var archive: [UInt8] = []
        for entry in entries {
            if entry.isDirectory {
                archive += try header(name: entry.name + "/", size: 0, mode: 0o755, type: UInt8(ascii: "5"))
            } else {
                let data = try Data(contentsOf: entry.url)
                let executable = FileManager.default.isExecutableFile(atPath: entry.url.path)
                archive += try header(name: entry.name, size: data.count, mode: executable ? 0o755 : 0o644, type: UInt8(ascii: "0"))
                archive += data
                archive += [UInt8](repeating: 0, count: (512 - data.count % 512) % 512)
            }
            guard archive.count <= maximumBytes else { throw Problem("\(directory.path) is larger than \(maximumBytes >> 20) MiB") }
        }
        return archive + [UInt8](repeating: 0, count: 1024)
    }

    private static func collect(_ directory: URL, prefix: String, into entries: inout [(name: String, url: URL, isDirectory: Bool)]) throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        for name in names where !skipped.contains(name) && !name.hasSuffix(".pyc") {
            let url = directory.appendingPathComponent(name)
            let values = try url.resourceValues(forKeys: [.isDirectoryKey, .isRegularFileKey, .isSymbolicLinkKey])
            let relative = prefix.isEmpty ? name : "\(prefix)/\(name)"
            if values.isSymbolicLink == true {
                throw Problem("\(relative) is a symbolic link; an app holds regular files and directories only")
            } else if values.isDirectory == true {
                entries.append((relative, url, true))
                try collect(url, prefix: relative, into: &entries)
            } else if values.isRegularFile == true {
                entries.append((relative, url, false))
            }
        }
    }

    private static func header(name: String, size: Int, mode: Int, type: UInt8) throws -> [UInt8] {
        var block = [UInt8](repeating: 0, count: 512)
        let bytes = Array(name.utf8)
        // ustar splits long names into a prefix (155 bytes) and a name (100 bytes) at a '/'.
        var (prefixBytes, nameBytes) = ([UInt8](), bytes)
        if bytes.count > 100 {
            // The last '/' (not a directory's trailing one) that leaves both parts short enough.
            let slashes = bytes.indices.dropLast().filter { bytes[$0] == UInt8(ascii: "/") }
            guard let slash = slashes.last(where: { $0 > 0 && $0 <= 155 && bytes.count - $0 - 1 <= 100 }) else {
                throw Problem("the path \(name) is too long for the archive (ustar: 255 bytes)")
            }
            prefixBytes = Array(bytes[..<slash])
            nameBytes = Array(bytes[(slash + 1)...])
        }
        func put(_ value: [UInt8], at offset: Int) { for (index, byte) in value.enumerated() { block[offset + index] = byte } }
        func octal(_ value: Int, width: Int) -> [UInt8] { Array(String(format: "%0\(width - 1)o", value).utf8) + [0] }
        put(nameBytes, at: 0)
        put(octal(mode, width: 8), at: 100)
        put(octal(0, width: 8), at: 108)  // uid
        put(octal(0, width: 8), at: 116)  // gid
        put(octal(size, width: 12), at: 124)
        put(octal(0, width: 12), at: 136)  // mtime
        put(Array("        ".utf8), at: 148)  // checksum, counted as spaces
        block[156] = type
        put(Array("ustar".utf8) + [0], at: 257)
        put(Array("00".utf8), at: 263)
        put(prefixBytes, at: 345)
        let checksum = block.reduce(0) { $0 + Int($1) }
        put(Array(String(format: "%06o", checksum).utf8) + [0, UInt8(ascii: " ")], at: 148)
        return block
    }

    // MARK: Unpacking

    /// Writes the archive's files under `target` (created), refusing anything that is not a
    /// plain file or directory inside it.
    public static func unpack(_ archive: [UInt8], into target: URL) throws {
        guard archive.count <= maximumBytes + 1024 * 1024 else { throw Problem("the archive is larger than \(maximumBytes >> 20) MiB") }
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        var offset = 0
        var files = 0
        while offset + 512 <= archive.count {
            let block = archive[offset..<offset + 512]
            if block.allSatisfy({ $0 == 0 }) { return }  // the end
            let name = try entryName(block)
            let size = try number(block, at: 124, width: 12, field: "size of \(name)")
            let type = block[block.startIndex + 156]
            guard try number(block, at: 148, width: 8, field: "checksum of \(name)") == checksum(block) else {
                throw Problem("the header of \(name) is corrupt (checksum mismatch)")
            }
            files += 1
            guard files <= maximumFiles else { throw Problem("the archive holds more than \(maximumFiles) entries") }
            let dataStart = offset + 512
            guard dataStart + size <= archive.count else { throw Problem("\(name) is cut short") }
            let destination = try confined(name, under: target)
            switch type {
            case UInt8(ascii: "5"):
                try FileManager.default.createDirectory(at: destination, withIntermediateDirectories: true)
            case UInt8(ascii: "0"), 0:
                try FileManager.default.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(archive[dataStart..<dataStart + size]).write(to: destination)
                let mode = try number(block, at: 100, width: 8, field: "mode of \(name)")
                try FileManager.default.setAttributes([.posixPermissions: mode & 0o111 != 0 ? 0o755 : 0o644], ofItemAtPath: destination.path)
            default:
                throw Problem("\(name) is not a regular file or directory (type '\(Character(UnicodeScalar(type)))'); links and devices are refused")
            }
            offset = dataStart + (size + 511) / 512 * 512
        }
        throw Problem("the archive has no end marker")
    }

    private static func entryName(_ block: ArraySlice<UInt8>) throws -> String {
        func text(_ from: Int, _ width: Int) -> String {
            let field = block[block.startIndex + from..<block.startIndex + from + width]
            return String(decoding: field.prefix { $0 != 0 }, as: UTF8.self)
        }
        let name = text(0, 100), prefix = text(345, 155)
        let full = prefix.isEmpty ? name : "\(prefix)/\(name)"
        guard !full.isEmpty, !full.utf8.contains(0) else { throw Problem("an entry has no name") }
        return full
    }

    /// The entry's place under `target`: relative, without `..`, and not through a link.
    private static func confined(_ name: String, under target: URL) throws -> URL {
        let components = name.split(separator: "/").filter { $0 != "." }
        guard !name.hasPrefix("/"), !components.isEmpty, !components.contains("..") else {
            throw Problem("the entry \(TextFields.escaped(name)) would land outside the app's directory")
        }
        do {
            return try ConfinedPath(components.joined(separator: "/"), under: target.path).url
        } catch {
            throw Problem("the entry \(TextFields.escaped(name)): \(error)")
        }
    }

    private static func number(_ block: ArraySlice<UInt8>, at offset: Int, width: Int, field: String) throws -> Int {
        let bytes = block[block.startIndex + offset..<block.startIndex + offset + width]
        let text = String(decoding: bytes.prefix { $0 != 0 && $0 != UInt8(ascii: " ") }, as: UTF8.self)
        guard let value = Int(text.isEmpty ? "0" : text, radix: 8), value >= 0 else { throw Problem("the \(field) is not an octal number") }
        return value
    }

    private static func checksum(_ block: ArraySlice<UInt8>) -> Int {
        block.enumerated().reduce(0) { sum, item in sum + ((148..<156).contains(item.offset) ? 32 : Int(item.element)) }
    }
}
