/// The phases of a job, OCM's names. `Waiting` until placement selected enough clusters,
/// `Running` while rounds go on, then `Completed` or `Failed` (with a reason).
public enum JobPhase: String, Codable, Sendable, Hashable, CaseIterable {
    case waiting = "Waiting"
    case running = "Running"
    case completed = "Completed"
    case failed = "Failed"

    public var isTerminal: Bool { self == .completed || self == .failed }

    /// The lifecycle's only legal moves. Anything else (going back, leaving a terminal
    /// phase) is refused, which also makes a replayed or duplicated transition harmless.
    public func canMove(to next: JobPhase) -> Bool {
        switch (self, next) {
        case (.waiting, .running), (.waiting, .failed), (.running, .completed), (.running, .failed): true
        default: false
        }
    }
}
