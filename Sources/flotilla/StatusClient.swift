import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A small client of the status API. Problem+json answers become errors that print the
/// problem's detail and each field error.
struct StatusClient: Sendable {
    let baseURL: URL

    struct Problem: Error, CustomStringConvertible, Decodable {
        struct Field: Decodable { var field: String; var problem: String }
        var title: String
        var status: Int
        var detail: String
        var errors: [Field]?
        var description: String {
            ([ "\(title) (\(status)): \(detail)" ] + (errors ?? []).map { "  - \($0.field): \($0.problem)" }).joined(separator: "\n")
        }
    }

    struct TransportError: Error, CustomStringConvertible {
        var description: String
    }

    func get(_ path: String) async throws -> Data {
        try await send(URLRequest(url: baseURL.appendingPathComponent(path)))
    }

    func post(_ path: String, body: Data, contentType: String, method: String = "POST") async throws -> Data {
        var request = URLRequest(url: baseURL.appendingPathComponent(path))
        request.httpMethod = method
        request.httpBody = body
        request.setValue(contentType, forHTTPHeaderField: "Content-Type")
        return try await send(request)
    }

    private func send(_ request: URLRequest) async throws -> Data {
        let (data, response): (Data, URLResponse)
        do {
            (data, response) = try await URLSession.shared.data(for: request)
        } catch {
            throw TransportError(description: "cannot reach the status API at \(baseURL.absoluteString): \(error.localizedDescription)")
        }
        guard let http = response as? HTTPURLResponse else { throw TransportError(description: "no HTTP response from \(baseURL.absoluteString)") }
        guard (200..<300).contains(http.statusCode) else {
            if let problem = try? JSONDecoder().decode(Problem.self, from: data) { throw problem }
            throw TransportError(description: "HTTP \(http.statusCode) from \(request.url?.absoluteString ?? "?")")
        }
        return data
    }
}
