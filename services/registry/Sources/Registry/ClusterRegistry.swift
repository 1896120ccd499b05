import Foundation
import Shared

/// The registry's state machine: feed it commands, get back the facts to publish.
/// Pure and synchronous, so it is tested by feeding commands and checking outputs.
/// Every output changes the cluster it names (an unchanged cluster is never published again);
/// times are kept at event precision, so a fact read back equals the one kept here.
public struct ClusterRegistry: Sendable {
    public struct Entry: Sendable, Hashable {
        public var cluster: ManagedCluster
        public var generation: Int
        public var leaseRenewedAt: Date
    }

    public enum Output: Sendable, Hashable {
        case registered(ClusterRegistered)
        case rejected(ClusterRegistrationRejected)
        case deregistered(ClusterDeregistered)
        /// The hub's CA issued a certificate (the registry's gatekeeper, never this state machine).
        case certificateIssued(ClusterCertificateIssued)
    }

    public internal(set) var entries: [String: Entry] = [:]

    public init() {}

    public mutating func register(_ request: ClusterRegistrationRequested, now: Date) -> [Output] {
        let registration = request.registration
        let problems = RegistrationValidator.problems(with: registration)
        guard problems.isEmpty else {
            return [.rejected(ClusterRegistrationRejected(cluster: registration.name, errors: problems))]
        }
        var cluster = ManagedCluster(
            name: registration.name, labels: registration.labels, claims: registration.claims,
            resources: registration.resources, scores: registration.scores
        )
        if var entry = entries[registration.name] {
            // Taints are the hub's, not the agent's; a registration also renews the lease.
            cluster.taints = entry.cluster.taints.filter { $0.key != Taint.unavailableKey }
            entry.leaseRenewedAt = max(entry.leaseRenewedAt, now)
            // Re-sending the same registration (an agent restart, a duplicate) changes nothing.
            guard entry.cluster != cluster else {
                entries[registration.name] = entry
                return []
            }
            entry.cluster = cluster
            entry.generation += 1
            entries[registration.name] = entry
            return [.registered(ClusterRegistered(cluster: cluster, generation: entry.generation))]
        }
        entries[registration.name] = Entry(cluster: cluster, generation: 1, leaseRenewedAt: now)
        return [.registered(ClusterRegistered(cluster: cluster, generation: 1))]
    }

    public mutating func heartbeat(_ beat: ClusterHeartbeat, now: Date) -> [Output] {
        guard var entry = entries[beat.cluster] else { return [] }
        entry.leaseRenewedAt = max(entry.leaseRenewedAt, now)
        entries[beat.cluster] = entry
        return markAvailable(beat.cluster)
    }

    /// The clusters whose lease ran out by `now` and that are not tainted for it yet.
    public func expiredLeases(now: Date, leaseDuration: TimeInterval) -> [String] {
        entries.keys.sorted().filter { name in
            guard let entry = entries[name] else { return false }
            return now.timeIntervalSince(entry.leaseRenewedAt) > leaseDuration
                && !entry.cluster.taints.contains { $0.key == Taint.unavailableKey }
        }
    }

    /// Taints every cluster whose lease ran out `unavailable` with effect `NoSelect`, as OCM's
    /// hub does, recording when (at event precision); placement's tolerations count from then.
    public mutating func expireLeases(now: Date, leaseDuration: TimeInterval) -> [Output] {
        expiredLeases(now: now, leaseDuration: leaseDuration).compactMap { name in
            guard var entry = entries[name] else { return nil }
            entry.cluster.taints.append(Taint(key: Taint.unavailableKey, effect: .noSelect, timeAdded: now.eventPrecision))
            entry.generation += 1
            entries[name] = entry
            return .registered(ClusterRegistered(cluster: entry.cluster, generation: entry.generation))
        }
    }

    /// A renewed lease lifts the `unavailable` taint.
    private mutating func markAvailable(_ name: String) -> [Output] {
        guard var entry = entries[name], entry.cluster.taints.contains(where: { $0.key == Taint.unavailableKey }) else { return [] }
        entry.cluster.taints.removeAll { $0.key == Taint.unavailableKey }
        entry.generation += 1
        entries[name] = entry
        return [.registered(ClusterRegistered(cluster: entry.cluster, generation: entry.generation))]
    }

    /// A fact on `flotilla.clusters` read while running: our own coming back changes nothing
    /// (it equals what is kept here). A newer one from elsewhere (e.g. a registry instance
    /// still stopping) is adopted, with a fresh lease; if it contradicts a change this registry
    /// already made, ours is published again above its generation. (At start the registry
    /// rebuilds through ``RegistryReplay`` instead.)
    public mutating func restore(_ fact: ClusterRegistered, now: Date) -> [Output] {
        guard var entry = entries[fact.cluster.name] else {
            entries[fact.cluster.name] = Entry(cluster: fact.cluster, generation: fact.generation, leaseRenewedAt: now)
            return []
        }
        guard fact.generation >= entry.generation else { return [] }  // our own, already known
        if entry.cluster == fact.cluster {
            entry.generation = fact.generation
            entries[fact.cluster.name] = entry
            return []
        }
        entry.generation = fact.generation + 1
        entries[fact.cluster.name] = entry
        return [.registered(ClusterRegistered(cluster: entry.cluster, generation: entry.generation))]
    }

    /// A deregistration fact read back: the cluster stays gone.
    public mutating func restore(_ fact: ClusterDeregistered) {
        entries[fact.cluster] = nil
    }

    public mutating func deregister(_ request: ClusterDeregistrationRequested) -> [Output] {
        guard entries.removeValue(forKey: request.cluster) != nil else { return [] }
        return [.deregistered(ClusterDeregistered(cluster: request.cluster, reason: request.reason))]
    }
}
