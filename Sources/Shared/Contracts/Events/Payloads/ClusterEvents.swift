import Foundation

/// What an agent says about its cluster when it registers (or updates its registration).
public struct ClusterRegistration: Codable, Sendable, Hashable {
    public var name: String
    public var labels: [String: String]
    public var claims: [String: String]
    public var resources: ClusterResources
    public var scores: [String: Int]

    public init(name: String, labels: [String: String] = [:], claims: [String: String] = [:], resources: ClusterResources, scores: [String: Int] = [:]) {
        self.name = name
        self.labels = labels
        self.claims = claims
        self.resources = resources
        self.scores = scores
    }
}

/// Command from an agent: register the cluster, or replace what it declared before.
public struct ClusterRegistrationRequested: EventPayload {
    public static let eventType = EventType.clusterRegistrationRequested
    public var registration: ClusterRegistration
    /// A request for a client certificate from the hub's CA (first enrolment or renewal).
    public var enrollment: Enrollment?
    public var subject: String { registration.name }
    public init(registration: ClusterRegistration, enrollment: Enrollment? = nil) {
        self.registration = registration
        self.enrollment = enrollment
    }
}

/// Command from an agent: renew the cluster's lease.
public struct ClusterHeartbeat: EventPayload {
    public static let eventType = EventType.clusterHeartbeat
    public var cluster: String
    public var subject: String { cluster }
    public init(cluster: String) { self.cluster = cluster }
}

/// Command from an agent: the cluster leaves the fleet.
public struct ClusterDeregistrationRequested: EventPayload {
    public static let eventType = EventType.clusterDeregistrationRequested
    public var cluster: String
    public var reason: String
    public var subject: String { cluster }
    public init(cluster: String, reason: String) {
        self.cluster = cluster
        self.reason = reason
    }
}

/// The registry's fact: the cluster as it now stands (a full snapshot, so consumers
/// need no history to know a cluster).
public struct ClusterRegistered: EventPayload {
    public static let eventType = EventType.clusterRegistered
    public var cluster: ManagedCluster
    /// Increases with every change the registry accepts for this cluster.
    public var generation: Int
    public var subject: String { cluster.name }
    public init(cluster: ManagedCluster, generation: Int) {
        self.cluster = cluster
        self.generation = generation
    }
}

/// The registry refused a registration; nothing about the cluster changed.
public struct ClusterRegistrationRejected: EventPayload {
    public static let eventType = EventType.clusterRegistrationRejected
    public var cluster: String
    public var errors: [FieldError]
    /// The event id of the request refused, so the agent that sent it knows the answer is its own.
    public var requestID: String?
    public var subject: String { cluster }
    public init(cluster: String, errors: [FieldError], requestID: String? = nil) {
        self.cluster = cluster
        self.errors = errors
        self.requestID = requestID
    }
}

public struct ClusterDeregistered: EventPayload {
    public static let eventType = EventType.clusterDeregistered
    public var cluster: String
    public var reason: String
    public var subject: String { cluster }
    public init(cluster: String, reason: String) {
        self.cluster = cluster
        self.reason = reason
    }
}
