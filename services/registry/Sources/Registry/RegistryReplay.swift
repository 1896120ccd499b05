import Foundation
import Shared

/// Rebuilds the registry from the log at start, publishing nothing while it reads. Feed it, in
/// this order, the registry's own facts on `flotilla.clusters` (what was last published for
/// each cluster), then the agents' commands on `flotilla.registrations`, each at its event
/// time: leases are judged by when an agent sent its heartbeat, not by when the replay reads it.
/// ``finish(now:leaseDuration:)`` then checks the leases once and returns, for each cluster,
/// at most one fact: only where the rebuilt cluster differs from the last one logged.
public struct RegistryReplay: Sendable {
    private var registry = ClusterRegistry()
    /// The last fact logged for each cluster still registered.
    private var facts: [String: ClusterRegistered] = [:]
    /// Why a cluster left, for a deregistration command whose fact was never logged.
    private var departures: [String: String] = [:]
    /// Request ids the registry already answered with a logged rejection.
    private var answered: Set<String> = []
    /// Requests read in the replay that are refused, in log order: those not answered yet (sent
    /// while the registry was down or replaying) get their rejection when the replay ends, so
    /// the agent that sent one learns why instead of waiting for ever.
    private var refused: [ClusterRegistrationRejected] = []
    /// Who may speak for each cluster, rebuilt from the tokens and certificates logged; replayed
    /// commands are judged by it at their event time, as they were live.
    public private(set) var gatekeeper: ClusterGatekeeper
    /// Enrolments no logged certificate answers (sent while the registry was down): the
    /// service answers them live once the replay is installed.
    public private(set) var pendingEnrollments: [(request: ClusterRegistrationRequested, envelope: EventEnvelope)] = []

    public init(gatekeeper: ClusterGatekeeper = ClusterGatekeeper(mode: .open)) {
        self.gatekeeper = gatekeeper
    }

    /// Applies one replayed event. Events that cannot be read were dead-lettered when first
    /// consumed and are skipped.
    public mutating func apply(_ event: ConsumedEvent) {
        let time = event.envelope.time
        switch event.envelope.type {
        case .clusterRegistered: if let fact = try? event.payload(ClusterRegistered.self) { restore(fact) }
        case .clusterDeregistered: if let fact = try? event.payload(ClusterDeregistered.self) { restore(fact) }
        case .clusterRegistrationRejected:
            if let id = (try? event.payload(ClusterRegistrationRejected.self))?.requestID { answered.insert(id) }
        case .clusterCertificateIssued: if let fact = try? event.payload(ClusterCertificateIssued.self) { gatekeeper.learn(fact) }
        case .bootstrapTokenIssued: if let fact = try? event.payload(BootstrapTokenIssued.self) { gatekeeper.learn(fact) }
        case .clusterRegistrationRequested:
            guard let request = try? event.payload(ClusterRegistrationRequested.self) else { return }
            switch gatekeeper.judge(event.envelope, cluster: request.registration.name, registration: request.registration, enrollment: request.enrollment, now: time) {
            case .admit: replay(request, at: time, id: event.envelope.id)
            case .enrol: pendingEnrollments.append((request, event.envelope))
            case .refuse(let error): refused.append(ClusterRegistrationRejected(cluster: request.registration.name, errors: [error], requestID: event.envelope.id))
            }
        case .clusterHeartbeat:
            guard let beat = try? event.payload(ClusterHeartbeat.self), admits(event.envelope, from: beat.cluster, at: time) else { return }
            replay(beat, at: time)
        case .clusterDeregistrationRequested:
            guard let request = try? event.payload(ClusterDeregistrationRequested.self), admits(event.envelope, from: request.cluster, at: time) else { return }
            replay(request)
        default: return
        }
    }

    private func admits(_ envelope: EventEnvelope, from cluster: String, at time: Date) -> Bool {
        gatekeeper.judge(envelope, cluster: cluster, now: time) == .admit
    }

    /// A logged fact: the cluster as last published. It proves no lease (only commands do).
    public mutating func restore(_ fact: ClusterRegistered) {
        facts[fact.cluster.name] = fact
        registry.entries[fact.cluster.name] = ClusterRegistry.Entry(cluster: fact.cluster, generation: fact.generation, leaseRenewedAt: .distantPast)
    }

    public mutating func restore(_ fact: ClusterDeregistered) {
        facts[fact.cluster] = nil
        registry.entries[fact.cluster] = nil
        gatekeeper.left(fact.cluster)
    }

    public mutating func replay(_ request: ClusterRegistrationRequested, at time: Date, id: String? = nil) {
        for case .rejected(var rejection) in registry.register(request, now: time) {
            rejection.requestID = id
            refused.append(rejection)
        }
    }

    public mutating func replay(_ beat: ClusterHeartbeat, at time: Date) {
        _ = registry.heartbeat(beat, now: time)
    }

    public mutating func replay(_ request: ClusterDeregistrationRequested) {
        if !registry.deregister(request).isEmpty {
            departures[request.cluster] = request.reason
            gatekeeper.left(request.cluster)
        }
    }

    /// The rebuilt registry, and the facts to publish so the log matches it. Leases are judged
    /// at `commandsReadUntil`, when the replay's markers were written on `flotilla.registrations`
    /// (later heartbeats are not read yet), then the time the replay took is added to every
    /// lease, so it does not count against the agents before the live heartbeats are read.
    public func finish(now: Date, leaseDuration: TimeInterval, commandsReadUntil: Date? = nil) -> (ClusterRegistry, [ClusterRegistry.Output]) {
        var registry = registry
        let judged = min(commandsReadUntil ?? now, now)
        // A logged taint stands unless the agent renewed its lease after it was added.
        for (name, fact) in facts {
            guard let taint = fact.cluster.taints.first(where: { $0.key == Taint.unavailableKey }), var entry = registry.entries[name],
                  entry.leaseRenewedAt <= taint.timeAdded, !entry.cluster.taints.contains(where: { $0.key == Taint.unavailableKey }) else { continue }
            entry.cluster.taints.append(taint)
            registry.entries[name] = entry
        }
        _ = registry.expireLeases(now: judged, leaseDuration: leaseDuration)
        for name in registry.entries.keys { registry.entries[name]?.leaseRenewedAt += now.timeIntervalSince(judged) }
        var outputs: [ClusterRegistry.Output] = []
        for name in Set(facts.keys).union(registry.entries.keys).sorted() {
            let fact = facts[name]
            guard var entry = registry.entries[name] else {
                outputs.append(.deregistered(ClusterDeregistered(cluster: name, reason: departures[name] ?? "deregistered")))
                continue
            }
            if let fact, fact.cluster == entry.cluster {
                entry.generation = fact.generation
            } else {
                entry.generation = (fact?.generation ?? 0) + 1
                outputs.append(.registered(ClusterRegistered(cluster: entry.cluster, generation: entry.generation)))
            }
            registry.entries[name] = entry
        }
        outputs += refused.filter { $0.requestID.map { !answered.contains($0) } ?? false }.map { .rejected($0) }
        return (registry, outputs)
    }
}
