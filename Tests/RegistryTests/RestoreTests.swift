import Foundation
import Testing
@testable import Registry
@testable import Shared

/// A restarted registry rebuilds the fleet from its own facts instead of starting empty.
@Suite struct RestoreTests {
    static let now = Date(timeIntervalSince1970: 9_000)
    static let fact = ClusterRegistered(cluster: ManagedCluster(name: "c1", labels: ["site": "a"], claims: ["data": "/d"], resources: ClusterResources(cpuMillicores: 2000, memoryBytes: 1 << 30)), generation: 5)

    @Test func restoredClustersAreKnownAndKeepTheirGeneration() throws {
        var registry = ClusterRegistry()
        #expect(registry.restore(Self.fact, now: Self.now).isEmpty)
        #expect(registry.entries["c1"]?.generation == 5)
        // The agent re-sends the same registration: nothing to publish.
        #expect(registry.register(ClusterRegistryTests.request(), now: Self.now).isEmpty)
        // A real change continues the generation sequence.
        guard case .registered(let changed) = try #require(registry.register(ClusterRegistryTests.request(claims: ["data": "/e"]), now: Self.now).first) else { return }
        #expect(changed.generation == 6)
    }

    @Test func aCommandSeenBeforeTheRestoredFactWinsAboveItsGeneration() throws {
        var registry = ClusterRegistry()
        _ = registry.register(ClusterRegistryTests.request(claims: ["data": "/new"]), now: Self.now)  // generation 1, newer knowledge
        let outputs = registry.restore(Self.fact, now: Self.now)
        guard case .registered(let republished) = try #require(outputs.first) else { Issue.record("\(outputs)"); return }
        #expect(republished.generation == 6 && republished.cluster.claims == ["data": "/new"])
        #expect(registry.restore(republished, now: Self.now).isEmpty)  // our own fact coming back
    }

    @Test func deregisteredClustersStayGone() {
        var registry = ClusterRegistry()
        _ = registry.restore(Self.fact, now: Self.now)
        registry.restore(ClusterDeregistered(cluster: "c1", reason: "bye"))
        #expect(registry.entries.isEmpty)
    }
}
