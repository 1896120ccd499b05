import Foundation
import Testing
@testable import Registry
@testable import Shared

/// Liveness: a lease that is not renewed taints the cluster `unavailable` (NoSelect) with the
/// time it was added; renewing lifts the taint. Each change is one new generation.
@Suite struct LeaseTests {
    static let start = Date(timeIntervalSince1970: 5_000)

    static func registered() -> ClusterRegistry {
        var registry = ClusterRegistry()
        _ = registry.register(ClusterRegistryTests.request(), now: start)
        return registry
    }

    @Test func anExpiredLeaseTaintsTheClusterOnce() throws {
        var registry = Self.registered()
        #expect(registry.expireLeases(now: Self.start.addingTimeInterval(10), leaseDuration: 10).isEmpty)  // not past yet
        let expired = registry.expireLeases(now: Self.start.addingTimeInterval(10.5), leaseDuration: 10)
        guard case .registered(let fact) = try #require(expired.first) else { Issue.record("no fact"); return }
        #expect(fact.generation == 2)
        #expect(fact.cluster.taints == [Taint(key: Taint.unavailableKey, effect: .noSelect, timeAdded: Self.start.addingTimeInterval(10.5))])
        #expect(registry.expireLeases(now: Self.start.addingTimeInterval(60), leaseDuration: 10).isEmpty)  // already tainted
    }

    @Test func aHeartbeatOrRegistrationLiftsTheTaint() throws {
        for renew in ["heartbeat", "registration"] {
            var registry = Self.registered()
            _ = registry.expireLeases(now: Self.start.addingTimeInterval(30), leaseDuration: 10)
            let later = Self.start.addingTimeInterval(31)
            let outputs = renew == "heartbeat"
                ? registry.heartbeat(ClusterHeartbeat(cluster: "c1"), now: later)
                : registry.register(ClusterRegistryTests.request(), now: later)
            guard case .registered(let fact) = try #require(outputs.first) else { Issue.record("\(renew): no fact"); continue }
            #expect(fact.cluster.taints.isEmpty, "\(renew)")
            #expect(fact.generation == 3, "\(renew)")
            #expect(registry.expireLeases(now: later.addingTimeInterval(5), leaseDuration: 10).isEmpty, "\(renew)")
        }
    }

    @Test func aHeartbeatFromAnUnknownClusterChangesNothing() {
        var registry = ClusterRegistry()
        #expect(registry.heartbeat(ClusterHeartbeat(cluster: "ghost"), now: Self.start).isEmpty)
        #expect(registry.entries.isEmpty)
    }
}
