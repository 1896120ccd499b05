import PostgresNIO
import Shared

/// Sorts PostgreSQL errors into those that depend on the data (retrying the same values can
/// never succeed) and the rest (the server or the connection: worth a retry).
enum PostgresFailure {
    /// SQLSTATE classes raised by the values and the statement, not by the server's state:
    /// 22 data exception (a NUL character in text, a number out of range), 23 integrity
    /// violation, 42 syntax or access rule, 54 program limit exceeded (a value too large).
    static let permanentClasses: Set<Substring> = ["22", "23", "42", "54"]
    /// Except 42501 (insufficient privilege): an operator's mistake, fixed by a grant, not by skipping events.
    static let retriedStates: Set<String> = ["42501"]

    /// Why the data can never be stored, or nil when `error` is worth a retry.
    static func permanentReason(_ error: any Error) -> String? {
        switch error {
        case let error as PermanentEventError:
            return error.reason
        case let error as EventDecodingError:
            return error.reason
        case let error as PostgresTransactionError:
            return [error.closureError, error.commitError].lazy.compactMap { $0.flatMap(permanentReason) }.first
        case let error as PSQLError:
            guard error.code == .server, let state = error.serverInfo?[.sqlState],
                  permanentClasses.contains(state.prefix(2)), !retriedStates.contains(state) else { return nil }
            let message = error.serverInfo?[.message] ?? "no message"
            let detail = error.serverInfo?[.detail].map { " (\($0))" } ?? ""
            return "PostgreSQL refused the event's data: \(message)\(detail) [SQLSTATE \(state)]"
        default:
            return nil
        }
    }

    /// SQLSTATE classes that mean the server cannot serve now: 08 connection exception,
    /// 53 insufficient resources (too many connections), 57 operator intervention (shutting
    /// down, starting up), 58 system error.
    static let unavailableClasses: Set<Substring> = ["08", "53", "57", "58"]

    /// Whether `error` says PostgreSQL cannot be reached or cannot serve now (as opposed to a
    /// statement it refused): the API answers 503, the projection retries.
    static func isUnavailable(_ error: any Error) -> Bool {
        switch error {
        case let error as PostgresTransactionError:
            return [error.beginError, error.closureError, error.commitError].contains { $0.map(isUnavailable) ?? false }
        case let error as PSQLError:
            // Not from the server: refused, closed, pool closed, cancelled; nothing the statement did.
            guard error.code == .server else { return true }
            return error.serverInfo?[.sqlState].map { unavailableClasses.contains($0.prefix(2)) } ?? false
        case is PostgresDecodingError, is PermanentEventError, is EventDecodingError:
            return false
        default:
            // NIO channel and socket errors: the connection, not the statement.
            return true
        }
    }
}
