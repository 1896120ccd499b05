#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a process kills itself with SIGKILL, for crash-recovery tests and fault drills
/// (`FLOTILLA_FAULT`). A real SIGKILL at a named point is reproducible where an outside kill
/// at a guessed moment is not. Empty: no fault.
public struct FaultPlan: Sendable, Hashable, CustomStringConvertible {
    public enum Point: Sendable, Hashable {
        /// Right after round `r` was announced, before any update of it arrived.
        case roundStarted(round: Int)
        /// Right after the `count`-th update of round `r` was folded in (nothing published about it).
        case updateFolded(round: Int, count: Int)
        /// Half-way through writing round `r`'s model file (a torn file is left behind).
        case modelWriting(round: Int)
        /// A collaborator, right after its update for round `r` was sent (before the round ends).
        case updateSent(round: Int)
    }

    public let point: Point?

    public init(point: Point? = nil) { self.point = point }

    /// Parses `round-started:R`, `update-folded:R:N`, `model-writing:R` or `update-sent:R`.
    public init(parsing text: String) throws(ConfigurationError) {
        let parts = text.split(separator: ":").map(String.init)
        let numbers = parts.dropFirst().compactMap { Int($0) }.filter { $0 > 0 }
        switch (parts.first, numbers.count, parts.count) {
        case (nil, _, _): point = nil
        case ("round-started", 1, 2): point = .roundStarted(round: numbers[0])
        case ("update-folded", 2, 3): point = .updateFolded(round: numbers[0], count: numbers[1])
        case ("model-writing", 1, 2): point = .modelWriting(round: numbers[0])
        case ("update-sent", 1, 2): point = .updateSent(round: numbers[0])
        default:
            throw ConfigurationError(key: .fault, problem: "'\(text)' is not round-started:R, update-folded:R:N, model-writing:R or update-sent:R (positive integers)")
        }
    }

    public init(source: ConfigurationSource) throws(ConfigurationError) {
        try self.init(parsing: try source.string(.fault))
    }

    public func matches(_ candidate: Point) -> Bool { point == candidate }

    /// Kills this process at once if `candidate` is the planned point.
    public func crash(at candidate: Point) {
        if matches(candidate) { Self.killNow() }
    }

    public static func killNow() -> Never {
        kill(getpid(), SIGKILL)
        fatalError("SIGKILL did not stop the process")
    }

    public var description: String {
        switch point {
        case nil: "none"
        case .roundStarted(let round)?: "round-started:\(round)"
        case .updateFolded(let round, let count)?: "update-folded:\(round):\(count)"
        case .modelWriting(let round)?: "model-writing:\(round)"
        case .updateSent(let round)?: "update-sent:\(round)"
        }
    }
}
