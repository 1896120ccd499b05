import Foundation
import Logging
import PostgresNIO
import Shared

/// Projects events into PostgreSQL. Each message is applied in one transaction together with
/// its event id (a duplicate changes nothing) and the partition's next offset (a restart
/// resumes exactly after the last applied message, neither losing nor re-applying one).
struct Projector: Sendable {
    let client: PostgresClient
    let logger: Logger

    /// Applies one event. Content that can never be stored (it fails the front door's checks,
    /// or PostgreSQL refuses its values) throws ``PermanentEventError``, so it is dead-lettered
    /// with the reason and the projection moves on; anything else is retried.
    func apply(_ event: ConsumedEvent) async throws {
        try Self.validate(event)
        do {
            try await applyInTransaction(event)
        } catch {
            if let reason = PostgresFailure.permanentReason(error) { throw PermanentEventError(reason) }
            throw error
        }
    }

    private func applyInTransaction(_ event: ConsumedEvent) async throws {
        try await client.withTransaction(logger: logger) { connection in
            let inserted = try await connection.query(
                "INSERT INTO applied_events (event_id, applied_at) VALUES (\(event.envelope.id), now()) ON CONFLICT DO NOTHING RETURNING event_id",
                logger: logger
            )
            var fresh = false
            for try await _ in inserted { fresh = true }
            if fresh {
                try await ProjectionWriter(connection: connection, logger: logger).project(event)
            } else {
                logger.debug("duplicate event ignored", metadata: ["id": "\(event.envelope.id)", "type": "\(event.envelope.type.rawValue)"])
            }
            try await Self.storeOffset(of: event.message, on: connection, logger: logger)
        }
    }

    /// A message that was dead-lettered: only its offset moves on.
    func skip(_ message: KafkaConsumerMessage) async throws {
        try await client.withConnection { connection in
            try await Self.storeOffset(of: message, on: connection, logger: logger)
        }
    }

    /// A message read from the dead-letter topic: recorded for `GET /v1/dead-letters`. Its
    /// headers are anyone's text, so NUL characters are replaced; if PostgreSQL still refuses
    /// it, it is skipped with an error in the log (dead-lettering it again would loop).
    func recordDeadLetter(_ message: KafkaConsumerMessage) async throws {
        do {
            try await insertDeadLetter(message)
        } catch {
            guard let reason = PostgresFailure.permanentReason(error) else { throw error }
            logger.error("dead letter not recorded", metadata: ["topic": "\(message.topic)", "offset": "\(message.offset)", "reason": "\(reason)"])
            try await skip(message)
        }
    }

    private func insertDeadLetter(_ message: KafkaConsumerMessage) async throws {
        func header(_ key: String) -> String? {
            message.headers.last(where: { $0.key == key }).map { Self.storable(String(decoding: $0.value, as: UTF8.self)) }
        }
        try await client.withTransaction(logger: logger) { connection in
            let originalTopic = header(DeadLetterHeader.topic) ?? "?"
            let originalOffset = "\(header(DeadLetterHeader.partition) ?? "?")/\(header(DeadLetterHeader.offset) ?? "?")"
            try await connection.query("""
                INSERT INTO dead_letters (topic, partition, "offset", original_topic, original_offset, service, reason, event_type, received_at)
                VALUES (\(message.topic), \(Int(message.partition)), \(message.offset), \(originalTopic), \(originalOffset),
                        \(header(DeadLetterHeader.service) ?? "?"), \(header(DeadLetterHeader.reason) ?? "?"), \(header("ce_type")), \(message.timestamp ?? Date()))
                ON CONFLICT DO NOTHING
                """, logger: logger)
            try await Self.storeOffset(of: message, on: connection, logger: logger)
        }
    }

    /// Where to resume: the next offset of every partition this projection has applied.
    func storedOffsets() async throws -> [String: [Int32: Int64]] {
        var result: [String: [Int32: Int64]] = [:]
        let rows = try await client.query("SELECT topic, partition, next_offset FROM consumer_offsets", logger: logger)
        for try await (topic, partition, offset) in rows.decode((String, Int, Int64).self) {
            result[topic, default: [:]][Int32(partition)] = offset
        }
        return result
    }

    /// Text as PostgreSQL can store it: without NUL characters.
    static func storable(_ text: String) -> String {
        text.contains("\0") ? text.replacingOccurrences(of: "\0", with: "\u{FFFD}") : text
    }

    private static func storeOffset(of message: KafkaConsumerMessage, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("""
            INSERT INTO consumer_offsets (topic, partition, next_offset) VALUES (\(message.topic), \(Int(message.partition)), \(message.offset + 1))
            ON CONFLICT (topic, partition) DO UPDATE SET next_offset = greatest(consumer_offsets.next_offset, excluded.next_offset)
            """, logger: logger)
    }
}
