import ServiceLifecycle

/// The loop of every timer service: wait `interval`, do `work`, until graceful shutdown.
public func periodically(every interval: Duration, _ work: () async throws -> Void) async throws {
    while !Task.isShuttingDownGracefully {
        do {
            try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        } catch {
            return
        }
        try await work()
    }
}
