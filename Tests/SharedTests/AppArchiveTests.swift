import Foundation
import Testing
@testable import Shared

/// Apps travel as ustar archives: packed the same way every time, unpacked without trusting
/// a single header.
@Suite struct AppArchiveTests {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("flotilla-archive-\(UUID().uuidString)")

    func makeApp() throws -> URL {
        let app = root.appendingPathComponent("app")
        try FileManager.default.createDirectory(at: app.appendingPathComponent("pkg/__pycache__"), withIntermediateDirectories: true)
        try Data("[tool.flwr.app.components]\nclientapp = \"pkg.client:app\"\n".utf8).write(to: app.appendingPathComponent("pyproject.toml"))
        try Data("app = 1\n".utf8).write(to: app.appendingPathComponent("pkg/client.py"))
        try Data([0, 1, 2]).write(to: app.appendingPathComponent("pkg/__pycache__/client.cpython-311.pyc"))
        let deep = (1...7).map { "level-\($0)-of-a-long-path" }.joined(separator: "/")
        try FileManager.default.createDirectory(at: app.appendingPathComponent(deep), withIntermediateDirectories: true)
        try Data("deep\n".utf8).write(to: app.appendingPathComponent("\(deep)/weights.txt"))
        return app
    }

    @Test func anAppRoundTripsAndPacksTheSameEveryTime() throws {
        let app = try makeApp()
        let archive = try AppArchive.pack(directory: app)
        #expect(try AppArchive.pack(directory: app) == archive, "packing is deterministic")
        #expect(AppArchive.isDigest(AppArchive.digest(of: archive)))
        let out = root.appendingPathComponent("out")
        try AppArchive.unpack(archive, into: out)
        #expect(try String(contentsOf: out.appendingPathComponent("pkg/client.py"), encoding: .utf8) == "app = 1\n")
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("pkg/__pycache__").path), "caches are not part of an app")
        let deep = (1...7).map { "level-\($0)-of-a-long-path" }.joined(separator: "/")
        #expect(try String(contentsOf: out.appendingPathComponent("\(deep)/weights.txt"), encoding: .utf8) == "deep\n")
    }

    @Test func systemTarReadsWhatWePack() throws {
        let archive = try AppArchive.pack(directory: try makeApp())
        let file = root.appendingPathComponent("app.tar")
        try Data(archive).write(to: file)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["tar", "-tf", file.path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let listing = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(listing.contains("pkg/client.py") && listing.contains("pyproject.toml"), "\(listing)")
    }

    /// A header the way an attacker would write it (via the system's tar, which can).
    func hostileArchive(_ build: String) throws -> [UInt8] {
        let work = root.appendingPathComponent("hostile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "cd '\(work.path)' && \(build)"]
        try process.run()
        process.waitUntilExit()
        return [UInt8](try Data(contentsOf: work.appendingPathComponent("x.tar")))
    }

    @Test func unpackingRefusesWhatWouldLeaveTheDirectory() throws {
        let out = root.appendingPathComponent("target")
        let dotDot = try hostileArchive("mkdir -p a && echo x > escape && tar -cf x.tar --transform 's,^escape,../escape,' escape")
        #expect(throws: AppArchive.Problem.self) { try AppArchive.unpack(dotDot, into: out) }
        let absolute = try hostileArchive("echo x > abs && tar -cf x.tar --transform 's,^abs,/tmp/flotilla-abs-escape,' -P abs")
        #expect(throws: AppArchive.Problem.self) { try AppArchive.unpack(absolute, into: out) }
        let link = try hostileArchive("ln -s /etc/passwd passwd && tar -cf x.tar passwd")
        let error = #expect(throws: AppArchive.Problem.self) { try AppArchive.unpack(link, into: out) }
        #expect(error?.description.contains("links and devices are refused") == true, "\(String(describing: error))")
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("escape").path))
        var corrupt = try AppArchive.pack(directory: try makeApp())
        corrupt[130] ^= 0x01  // a size digit
        #expect(throws: AppArchive.Problem.self) { try AppArchive.unpack(corrupt, into: root.appendingPathComponent("corrupt")) }
    }
}
