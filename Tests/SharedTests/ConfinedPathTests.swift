import Foundation
import Testing
@testable import Shared

/// Point 4 of issue 9: every file path is resolved and confined to its root, links included.
@Suite struct ConfinedPathTests {
    /// A fresh directory holding `root/` and `outside/`, removed afterwards.
    static func withDirectories(_ body: (_ root: URL, _ outside: URL) throws -> Void) throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("confined-\(UUID().uuidString)")
        let root = base.appendingPathComponent("root"), outside = base.appendingPathComponent("outside")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("inside"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: base) }
        try body(root, outside)
    }

    static func real(_ url: URL) -> String { url.resolvingSymlinksInPath().path }

    @Test func anAbsoluteOrRelativePathIsRootedUnderTheRoot() throws {
        try Self.withDirectories { root, _ throws in
            #expect(try ConfinedPath("/data/models", under: root.path).path == Self.real(root) + "/data/models")
            #expect(try ConfinedPath("inside/x", under: root.path).path == Self.real(root) + "/inside/x")
            #expect(try ConfinedPath("/inside/../inside/./y", under: root.path).path == Self.real(root) + "/inside/y")
            #expect(try ConfinedPath("/", under: root.path).path == Self.real(root))
        }
    }

    @Test(arguments: ["/../outside-root", "/../../x", "..", "/inside/../../x", "a/b/../../../c"])
    func dotDotCannotClimbOut(path: String) throws {
        try Self.withDirectories { root, _ throws in
            let error = try #require(throws: PathConfinementError.self) { try ConfinedPath(path, under: root.path) }
            #expect(error.description.contains("'..'"))
        }
    }

    @Test func aLinkInsideTheRootPointingOutIsRefused() throws {
        try Self.withDirectories { root, outside throws in
            try FileManager.default.createSymbolicLink(at: root.appendingPathComponent("escape"), withDestinationURL: outside)
            for path in ["/escape", "/escape/job/round-0001.safetensors", "escape/new/dir"] {
                let error = try #require(throws: PathConfinementError.self) { try ConfinedPath(path, under: root.path) }
                #expect(error.description.contains("outside the root"), "\(error)")
            }
        }
    }

    @Test func aLinkThatStaysInsideIsFollowed() throws {
        try Self.withDirectories { root, _ throws in
            try FileManager.default.createSymbolicLink(at: root.appendingPathComponent("alias"), withDestinationURL: root.appendingPathComponent("inside"))
            #expect(try ConfinedPath("/alias/file", under: root.path).path == Self.real(root) + "/inside/file")
        }
    }

    @Test func aRootReachedThroughALinkIsResolvedFirst() throws {
        try Self.withDirectories { root, outside throws in
            let link = outside.appendingPathComponent("root-link")
            try FileManager.default.createSymbolicLink(at: link, withDestinationURL: root)
            #expect(try ConfinedPath("/inside/x", under: link.path).path == Self.real(root) + "/inside/x")
        }
    }

    @Test func aDanglingLinkIsRefused() throws {
        try Self.withDirectories { root, outside throws in
            try FileManager.default.createSymbolicLink(at: root.appendingPathComponent("dangling"), withDestinationURL: outside.appendingPathComponent("missing"))
            let error = try #require(throws: PathConfinementError.self) { try ConfinedPath("/dangling/x", under: root.path) }
            #expect(error.description.contains("dangling"))
        }
    }

    @Test func aNulIsRefused() throws {
        try Self.withDirectories { root, _ throws in
            #expect(throws: PathConfinementError.self) { try ConfinedPath("/a\u{0}b", under: root.path) }
        }
    }
}
