import Foundation
import Learning
import Logging
import PostgresNIO
import Shared

/// The read model in PostgreSQL (the projection's tables). Every call answers within
/// `timeout`: when PostgreSQL is down or does not answer it throws ``DatabaseUnavailable``
/// instead of waiting for the connection pool.
struct PostgresReadModel: StatusReadModel {
    let client: PostgresClient
    let logger: Logger
    var timeout: Duration = .milliseconds(1500)

    /// Runs `body` within the deadline; connection faults and timeouts become ``DatabaseUnavailable``.
    func guarded<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        do {
            return try await Deadline.run(within: timeout, body)
        } catch let error as Deadline.Exceeded {
            throw DatabaseUnavailable(reason: "PostgreSQL did not answer within \(error.timeout)")
        } catch where PostgresFailure.isUnavailable(error) {
            throw DatabaseUnavailable(reason: "PostgreSQL is not reachable")
        }
    }

    func ping() async throws {
        try await guarded { _ = try await client.query("SELECT 1", logger: logger) }
    }

    func reserveJobName(_ name: String) async throws -> Bool {
        try await guarded {
            let rows = try await client.query("""
                INSERT INTO job_names (name, reserved_at) SELECT \(name), now()
                WHERE NOT EXISTS (SELECT 1 FROM jobs WHERE id = \(name))
                ON CONFLICT DO NOTHING RETURNING name
                """, logger: logger)
            for try await _ in rows { return true }
            return false
        }
    }

    func blob(_ digest: String) async throws -> BlobView? {
        try await guarded {
            let rows = try await client.query("SELECT digest, size, published_at, model_layout::text, model_problem FROM blobs WHERE digest = \(digest)", logger: logger)
            for try await (digest, size, at, layout, problem) in rows.decode((String, Int, Date, String?, String?).self) {
                let model = try layout.map { try JSONCoding.decoder.decode(ModelLayout.self, from: Data($0.utf8)) }
                return BlobView(digest: digest, size: size, publishedAt: at, model: model, notAModel: problem)
            }
            return nil
        }
    }

    func recordBlob(_ digest: String, size: Int, content: BlobContent) async throws {
        let layout = try content.layoutJSON
        try await guarded {
            _ = try await client.query(
                "INSERT INTO blobs (digest, size, published_at, model_layout, model_problem) VALUES (\(digest), \(size), now(), \(layout)::jsonb, \(content.notAModel)) ON CONFLICT DO NOTHING",
                logger: logger
            )
        }
    }

    func releaseJobName(_ name: String) async throws {
        try await guarded {
            _ = try await client.query("DELETE FROM job_names WHERE name = \(name) AND NOT EXISTS (SELECT 1 FROM jobs WHERE id = \(name))", logger: logger)
        }
    }

    func jobs(limit: Int) async throws -> [JobSummary] {
        try await guarded { try await jobsNow(limit: limit) }
    }

    func jobExists(_ id: String) async throws -> Bool {
        try await guarded { try await jobExistsNow(id) }
    }

    /// Runs `body` on one connection in a REPEATABLE READ transaction, so a response built from
    /// several queries shows one consistent state of the projection (never half a transaction).
    func snapshot<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        try await guarded {
            try await client.withTransaction(logger: logger) { connection in
                try await connection.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", logger: logger)
                return try await body(connection)
            }
        }
    }

    func job(_ id: String) async throws -> JobDetail? {
        try await snapshot { try await job(id, on: $0) }
    }

    func rounds(_ id: String) async throws -> [RoundDetail] {
        try await snapshot { try await rounds(id, on: $0) }
    }

    func placement(_ id: String) async throws -> PlacementView? {
        try await snapshot { try await placement(id, on: $0) }
    }

    func placementHistory(_ id: String) async throws -> [PlacementHistoryEntry] {
        try await guarded { try await placementHistoryNow(id) }
    }

    func clusters() async throws -> [ClusterView] {
        try await guarded { try await clustersNow() }
    }

    func deadLetters(limit: Int) async throws -> [DeadLetterView] {
        try await guarded { try await deadLettersNow(limit: limit) }
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String?) -> T? {
        guard let text else { return nil }
        return try? JSONCoding.decoder.decode(T.self, from: Data(text.utf8))
    }
}
