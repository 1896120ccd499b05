import Foundation
import Testing
@testable import Shared
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// PostgreSQL goes down under a running status API: every request that needs it answers 503
/// problem+json with `Retry-After` at once (not after the pool's long wait), `/readyz` says
/// why, and once PostgreSQL is back the projection catches up with what it missed.
@Suite(.timeLimit(.minutes(3)))
struct DatabaseOutageTests {
    @Test func requestsAnswer503WhilePostgreSQLIsDownAndTheProjectionCatchesUpAfter() async throws {
        let postgres = try PrivatePostgres()
        defer { postgres.remove() }
        let stack = try await TestStack.make(clusters: 1, label: "pgdown")
        let database = try postgres.configuration
        try await stack.running([try stack.statusAPI { $0.database = database }]) {
            _ = try await stack.waitFor("readyz", as: [String: String].self) { _ in true }
            #expect(try await stack.post("v1/jobs", body: TestStack.jobDocument(name: "before-outage", rounds: 1, minimum: 1)).0 == 202)
            _ = try await stack.waitFor("v1/jobs/before-outage", as: JobView.self) { _ in true }

            try postgres.stop()
            for (method, path, body) in [
                ("GET", "v1/jobs/before-outage", nil), ("GET", "v1/jobs", nil), ("GET", "v1/clusters", nil), ("GET", "readyz", nil),
                ("POST", "v1/jobs", TestStack.jobDocument(name: "during-outage", rounds: 1, minimum: 1)),
            ] {
                let (response, data) = try await Self.send(method, path, body: body, stack: stack)
                #expect(response.statusCode == 503, "\(method) \(path)")
                #expect(response.value(forHTTPHeaderField: "Content-Type") == "application/problem+json", "\(method) \(path)")
                #expect(response.value(forHTTPHeaderField: "Retry-After") == "2", "\(method) \(path)")
                let problem = try JSONDecoder().decode(Problem.self, from: data)
                #expect(problem.detail.contains("PostgreSQL"), "\(method) \(path): \(problem.detail)")
            }
            // Published while the projection cannot store anything.
            let missed = try JobDocument.parse(TestStack.jobDocument(name: "missed-job", rounds: 1, minimum: 1))
            try await ProjectionPoisonTests.publish([JobSubmitted(job: missed)], stack: stack)

            try postgres.start()
            _ = try await stack.waitFor("v1/jobs/missed-job", as: JobView.self, timeout: .seconds(90)) { _ in true }
            _ = try await stack.waitFor("readyz", as: [String: String].self) { $0["status"] == "ready" }
            #expect(try await stack.post("v1/jobs", body: TestStack.jobDocument(name: "after-outage", rounds: 1, minimum: 1)).0 == 202)
        }
    }

    /// One request with a client timeout well above the API's own (a hang would fail it).
    static func send(
        _ method: String, _ path: String, body: String? = nil, headers: [String: String] = [:], stack: TestStack
    ) async throws -> (HTTPURLResponse, Data) {
        var request = URLRequest(url: stack.baseURL.appendingPathComponent(path), timeoutInterval: 10)
        request.httpMethod = method
        request.httpBody = body.map { Data($0.utf8) }
        if body != nil { request.setValue("application/yaml", forHTTPHeaderField: "Content-Type") }  // URLSession would say form-urlencoded
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await URLSession.shared.data(for: request)
        guard let http = response as? HTTPURLResponse else { throw URLError(.badServerResponse) }
        return (http, data)
    }
}
