import Foundation
import Testing
@testable import Shared
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The HTTP edges over real connections: every error is problem+json with the right status.
@Suite(.timeLimit(.minutes(2)))
struct HTTPEdgeTests {
    /// Runs `body` against a status API whose idle timeout is 1 s.
    func withStatusAPI(_ label: String, _ body: @escaping (TestStack) async throws -> Void) async throws {
        let stack = try await TestStack.make(clusters: 1, label: label)
        try await stack.running([try stack.statusAPI { $0.idleTimeout = .seconds(1) }]) {
            _ = try await stack.waitFor("readyz", as: [String: String].self) { _ in true }
            try await body(stack)
        }
    }

    @Test func aHugeBodyOrAWrongMediaTypeIsRefused() async throws {
        try await withStatusAPI("body") { stack in
            // A 50 MB body: 413, not 500.
            let huge = String(repeating: "a", count: 50 << 20)
            let (tooLarge, tooLargeBody) = try await DatabaseOutageTests.send("POST", "v1/jobs", body: huge, headers: ["Content-Type": "application/yaml"], stack: stack)
            #expect(tooLarge.statusCode == 413)
            #expect(try Self.problem(tooLarge, tooLargeBody).type.hasSuffix("/body-too-large"))

            // A body that is not a job document's media type: 415, naming the accepted ones.
            let document = TestStack.jobDocument(name: "typed-job", rounds: 1, minimum: 1)
            let (wrongType, wrongTypeBody) = try await DatabaseOutageTests.send("POST", "v1/jobs", body: document, headers: ["Content-Type": "text/plain"], stack: stack)
            #expect(wrongType.statusCode == 415)
            #expect(try Self.problem(wrongType, wrongTypeBody).detail.contains("application/yaml"))
            let (yaml, _) = try await DatabaseOutageTests.send("POST", "v1/jobs", body: document, headers: ["Content-Type": "application/yaml; charset=utf-8"], stack: stack)
            #expect(yaml.statusCode == 202)
        }
    }

    @Test func methodsAreAnsweredWith405OrHEAD() async throws {
        try await withStatusAPI("methods") { stack in
            let document = TestStack.jobDocument(name: "typed-job", rounds: 1, minimum: 1)
            #expect(try await stack.post("v1/jobs", body: document).0 == 202)
            // A known path with another method: 405 and Allow.
            let (delete, deleteBody) = try await DatabaseOutageTests.send("DELETE", "v1/jobs/typed-job", stack: stack)
            #expect(delete.statusCode == 405)
            #expect(delete.value(forHTTPHeaderField: "Allow") == "GET, HEAD")
            #expect(try Self.problem(delete, deleteBody).type.hasSuffix("/method-not-allowed"))
            let (put, _) = try await DatabaseOutageTests.send("PUT", "v1/jobs", body: "{}", stack: stack)
            #expect(put.value(forHTTPHeaderField: "Allow") == "GET, HEAD, POST")
            let (unknown, unknownBody) = try await DatabaseOutageTests.send("GET", "v1/nothing-here", stack: stack)
            #expect(unknown.statusCode == 404)
            #expect(try Self.problem(unknown, unknownBody).type.hasSuffix("/not-found"))

            // HEAD on a GET route: the GET's status and headers, no body.
            _ = try await stack.waitFor("v1/jobs/typed-job", as: JobView.self) { _ in true }
            let (head, headBody) = try await DatabaseOutageTests.send("HEAD", "v1/jobs/typed-job", stack: stack)
            #expect(head.statusCode == 200)
            #expect(head.value(forHTTPHeaderField: "Content-Type") == "application/json")
            #expect(headBody.isEmpty)
        }
    }

    @Test func aHundredKilobyteURLGetsAProblem() async throws {
        try await withStatusAPI("long-url") { stack in
            // A 100 KB URL: problem+json, and the connection is closed.
            let longURL = try RawConnection(port: stack.port)
            try longURL.transmit("GET /v1/jobs/\(String(repeating: "x", count: 100_000)) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            let answer = try #require(longURL.readUntilClosed(timeout: .seconds(10)))
            let text = String(decoding: answer, as: UTF8.self)
            #expect(text.hasPrefix("HTTP/1.1 400"))
            #expect(text.lowercased().contains("content-type: application/problem+json"))
            #expect(text.contains("request-head-too-large"))
        }
    }

    @Test func idleAndHalfOpenConnectionsAreClosed() async throws {
        try await withStatusAPI("idle") { stack in
            // A connection that never sends anything is closed after the idle timeout.
            let idle = try RawConnection(port: stack.port)
            #expect(idle.readUntilClosed(timeout: .seconds(15)) != nil, "an idle connection was kept open")
            let halfRequest = try RawConnection(port: stack.port)
            try halfRequest.transmit("GET /v1/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            #expect(halfRequest.readUntilClosed(timeout: .seconds(15)) != nil, "a half-sent request kept its connection open")
        }
    }

    static func problem(_ response: HTTPURLResponse, _ data: Data) throws -> Problem {
        #expect(response.value(forHTTPHeaderField: "Content-Type") == "application/problem+json")
        return try JSONDecoder().decode(Problem.self, from: data)
    }
}
