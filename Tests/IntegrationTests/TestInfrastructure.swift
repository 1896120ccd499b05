import Foundation
import StatusAPI
import Logging
import PostgresNIO
import Shared

/// The broker and PostgreSQL the integration tests use: started by `scripts/test` with the
/// project's own `scripts/infra`, passed in through the environment. Each test gets its own
/// topic prefix and its own database, so tests run in parallel without seeing each other.
enum TestInfrastructure {
    struct Missing: Error, CustomStringConvertible {
        var description: String { "FLOTILLA_KAFKA_BOOTSTRAP and FLOTILLA_DATABASE_URL are not set: run the tests with scripts/test, which starts the broker and PostgreSQL" }
    }

    static func kafkaBootstrap() throws -> String {
        guard let value = ProcessInfo.processInfo.environment["FLOTILLA_KAFKA_BOOTSTRAP"] else { throw Missing() }
        return value
    }

    static func databaseURL() throws -> String {
        guard let value = ProcessInfo.processInfo.environment["FLOTILLA_DATABASE_URL"] else { throw Missing() }
        return value
    }

    static func uniqueName(_ prefix: String) -> String {
        "\(prefix)\(UUID().uuidString.prefix(8).lowercased())"
    }

    /// Creates an empty database for one test and returns its configuration.
    static func freshDatabase(logger: Logger) async throws -> DatabaseConfiguration {
        let main = try DatabaseConfiguration(url: try databaseURL())
        let name = uniqueName("test_")
        let client = PostgresClient(configuration: main.clientConfiguration, backgroundLogger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            try await client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
            group.cancelAll()
        }
        var configuration = main
        configuration.database = name
        return configuration
    }

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw POSIXError(.EADDRINUSE) }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
