import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A path inside a root directory, checked after `..` and every symbolic link of the part that
/// exists are resolved, so neither `/../x` nor a link inside the root pointing out (nor a root
/// reached through a link) can lead a read or write elsewhere. The model store and the
/// collaborator's data both go through it. A link created after the check is not covered.
public struct ConfinedPath: Sendable, Hashable, CustomStringConvertible {
    /// The resolved file system path, inside `root`.
    public let path: String
    /// The resolved root.
    public let root: String

    public var url: URL { URL(fileURLWithPath: path) }
    public var description: String { path }

    /// Resolves `relative` under `root`. A leading `/` in `relative` is part of the name under
    /// the root (`/data/models` is `<root>/data/models`), as claims and storage paths are written.
    public init(_ relative: String, under root: String) throws(PathConfinementError) {
        guard !relative.utf8.contains(0), !root.utf8.contains(0) else { throw PathConfinementError(path: relative, root: root, problem: "contains a NUL character") }
        let resolvedRoot = try Self.resolve(Self.absolute(root), requested: relative, root: root)
        var components: [Substring] = []
        for component in relative.split(separator: "/") where component != "." {
            if component == ".." {
                guard components.popLast() != nil else {
                    throw PathConfinementError(path: relative, root: root, problem: "climbs above the root with '..'")
                }
            } else {
                components.append(component)
            }
        }
        let joined = components.isEmpty ? resolvedRoot : (resolvedRoot == "/" ? "" : resolvedRoot) + "/" + components.joined(separator: "/")
        let resolved = try Self.resolve(joined, requested: relative, root: root)
        guard resolved == resolvedRoot || resolved.hasPrefix(resolvedRoot == "/" ? "/" : resolvedRoot + "/") else {
            throw PathConfinementError(path: relative, root: root, problem: "resolves to \(resolved), outside the root (through a symbolic link)")
        }
        self.path = resolved
        self.root = resolvedRoot
    }

    private static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }

    /// `path` with the symbolic links of its longest existing prefix resolved (`realpath`) and
    /// the rest, which does not exist yet, appended unchanged (it holds no `..` by now).
    private static func resolve(_ path: String, requested: String, root: String) throws(PathConfinementError) -> String {
        var existing = path
        var missing: [String] = []
        while true {
            if let real = realPath(existing) {
                if missing.isEmpty { return real }
                return ([real == "/" ? "" : real] + missing.reversed()).joined(separator: "/")
            }
            let failure = errno
            guard failure == ENOENT, existing != "/", let slash = existing.lastIndex(of: "/") else {
                throw PathConfinementError(path: requested, root: root, problem: "cannot be resolved: \(String(cString: strerror(failure)))", isViolation: false)
            }
            var status = stat()
            if lstat(existing, &status) == 0 {
                // It exists, yet cannot be resolved: a link to nothing, which a write would follow.
                throw PathConfinementError(path: requested, root: root, problem: "passes through the dangling symbolic link \(existing)")
            }
            let name = String(existing[existing.index(after: slash)...])
            if name == ".." {
                // A `..` left in the root itself: resolve it lexically only where it exists.
                throw PathConfinementError(path: requested, root: root, problem: "the root does not exist and holds '..'")
            }
            if !name.isEmpty && name != "." { missing.append(name) }
            existing = slash == existing.startIndex ? "/" : String(existing[..<slash])
        }
    }

    private static func realPath(_ path: String) -> String? {
        guard let pointer = realpath(path, nil) else { return nil }
        defer { free(pointer) }
        return String(cString: pointer)
    }
}

/// A path that would leave its root, or could not be resolved to tell, with the reason.
public struct PathConfinementError: Error, Sendable, Hashable, CustomStringConvertible {
    public var path: String
    public var root: String
    public var problem: String
    /// True when the path itself is refused (it leads out of the root); false when the file
    /// system could not resolve it (a file where a directory belongs), which may pass.
    public var isViolation = true
    public var description: String { "path '\(TextFields.escaped(path))' \(problem); it must stay inside \(root)" }
}
