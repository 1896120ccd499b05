import Foundation
import PostgresNIO
import Shared

/// PostgreSQL connection settings from a `postgres://user:password@host:port/database` URL
/// (`FLOTILLA_DATABASE_URL`). The password is never logged.
public struct DatabaseConfiguration: Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String

    public init(url text: String) throws(ConfigurationError) {
        guard let url = URLComponents(string: text), ["postgres", "postgresql"].contains(url.scheme ?? "") else {
            throw ConfigurationError(key: .databaseURL, problem: "'\(Self.redacted(text))' is not a postgres:// URL")
        }
        guard let host = url.host, !host.isEmpty else {
            throw ConfigurationError(key: .databaseURL, problem: "has no host")
        }
        let database = url.path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        guard !database.isEmpty else { throw ConfigurationError(key: .databaseURL, problem: "has no database name") }
        self.host = host
        self.port = url.port ?? 5432
        self.username = url.user ?? "postgres"
        self.password = url.password
        self.database = database
    }

    public var description: String { "postgres://\(username)@\(host):\(port)/\(database)" }

    public var clientConfiguration: PostgresClient.Configuration {
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: .disable
        )
        configuration.options.maximumConnections = 8
        return configuration
    }

    /// The URL with its user information replaced, whether or not it parses: the text between
    /// `://` and the last `@` before the host may hold a password, even in a malformed URL.
    static func redacted(_ text: String) -> String {
        guard let scheme = text.range(of: "://") else { return text.contains("@") ? "<redacted>" : text }
        let rest = text[scheme.upperBound...]
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        guard let at = rest[..<authorityEnd].lastIndex(of: "@") ?? rest.lastIndex(of: "@") else { return text }
        return String(text[..<scheme.upperBound]) + "***" + String(rest[at...])
    }
}
