import Foundation
import Shared

/// The registry's state machine: feed it commands, get back the facts to publish.
/// Pure and synchronous, so it is tested by feeding commands and checking outputs.
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
    }

    public private(set) var entries: [String: Entry] = [:]

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
            cluster.taints = entry.cluster.taints  // taints are the hub's, not the agent's
            entry.leaseRenewedAt = now
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
        entries[beat.cluster]?.leaseRenewedAt = now
        return []
    }

    public mutating func deregister(_ request: ClusterDeregistrationRequested) -> [Output] {
        guard entries.removeValue(forKey: request.cluster) != nil else { return [] }
        return [.deregistered(ClusterDeregistered(cluster: request.cluster, reason: request.reason))]
    }
}
