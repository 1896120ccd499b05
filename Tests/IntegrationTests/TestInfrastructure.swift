import Foundation

/// The broker and PostgreSQL the integration tests use: started by `scripts/test` with the
/// project's own `scripts/infra`, passed in through the environment.
enum TestInfrastructure {
    static var kafkaBootstrap: String? { ProcessInfo.processInfo.environment["FLOTILLA_KAFKA_BOOTSTRAP"] }
    static var databaseURL: String? { ProcessInfo.processInfo.environment["FLOTILLA_DATABASE_URL"] }
}
