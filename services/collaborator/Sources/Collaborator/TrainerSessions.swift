import Foundation

/// The `serve` trainers of this agent, one per job: started at a job's first task, restarted
/// after one fails, stopped when idle for `idleLimit` or when the agent stops.
actor TrainerSessions {
    private var sessions: [String: TrainerSession] = [:]
    static let idleLimit: Duration = .seconds(600)

    @discardableResult
    func perform(_ task: TrainerTask, command: [String]) async throws(TrainerFailure) -> Double? {
        stopIdle()
        let session: TrainerSession
        if let running = sessions[task.jobID], running.isUsable {
            session = running
        } else {
            session = try TrainerSession(command: command, environment: task.environment, workDirectory: task.workDirectory)
            sessions[task.jobID] = session
        }
        do {
            return try await session.perform(task, limit: task.spec.timeout)
        } catch {
            if !session.isUsable { sessions[task.jobID] = nil }
            throw error
        }
    }

    /// The agent stops: so do its trainers.
    func stopAll() {
        sessions.values.forEach { $0.stop() }
        sessions = [:]
    }

    private func stopIdle() {
        let now = ContinuousClock.now
        for (job, session) in sessions where now - session.lastUsed > Self.idleLimit || !session.isUsable {
            session.stop()
            sessions[job] = nil
        }
    }
}
