import Foundation
import Logging
import ServiceLifecycle
import Shared

/// Checks the clusters' leases on an interval and publishes the `unavailable` taint for every
/// cluster whose agent stopped renewing.
///
/// A lease that looks expired is judged only once the registry has read every command sent
/// before the check: a registry lagging behind its topic (a backlog, a loaded machine) would
/// otherwise taint live clusters whose heartbeats it has not read yet. A lagging registry
/// thus taints a dead cluster late, never a live one early.
public struct LeaseMonitor: Service {
    let state: RegistryState
    let catchUp: ConsumerCatchUp?
    let sink: any EventSink
    let settings: LeaseSettings
    let logger: Logger

    public func run() async throws {
        try await periodically(every: .seconds(settings.checkInterval)) {
            let checkedAt = Date.eventNow
            guard await !state.expiredLeases(now: checkedAt, leaseDuration: settings.duration).isEmpty else { return }
            if let catchUp {
                do {
                    try await cancelWhenGracefulShutdown {
                        try await catchUp.wait(for: [.registrations], patience: .seconds(settings.duration))
                    }
                } catch is CancellationError {
                    return  // shutting down
                }
            }
            try await expire(checkedAt: checkedAt)
        }
    }

    /// Taints every cluster whose lease ran out by `checkedAt` and publishes the new facts.
    func expire(checkedAt: Date) async throws {
        for output in await state.expireLeases(now: checkedAt, leaseDuration: settings.duration) {
            guard case .registered(let fact) = output else { continue }
            logger.warning("lease expired: cluster tainted unavailable", metadata: ["cluster": "\(fact.cluster.name)", "generation": "\(fact.generation)"])
            try await sink.publish(fact)
        }
    }
}

/// How long a lease lasts without renewal, and how often leases are checked.
public struct LeaseSettings: Sendable {
    public var duration: TimeInterval
    public var checkInterval: TimeInterval

    public init(duration: TimeInterval = 20, checkInterval: TimeInterval = 1) {
        self.duration = duration
        self.checkInterval = checkInterval
    }

    public init(source: ConfigurationSource) throws(ConfigurationError) {
        self.init(
            duration: TimeInterval(try source.int(.leaseSeconds, in: 1...86_400)),
            checkInterval: TimeInterval(try source.int(.leaseCheckSeconds, in: 1...3_600))
        )
    }
}
