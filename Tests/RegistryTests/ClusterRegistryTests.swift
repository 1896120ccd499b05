import Foundation
import Testing
@testable import Registry
@testable import Shared

@Suite struct ClusterRegistryTests {
    static let now = Date(timeIntervalSince1970: 1_000)

    static func request(_ name: String = "c1", claims: [String: String] = ["data": "/d"], cpu: Int64 = 2000, scores: [String: Int] = [:]) -> ClusterRegistrationRequested {
        ClusterRegistrationRequested(registration: ClusterRegistration(name: name, labels: ["site": "a"], claims: claims, resources: ClusterResources(cpuMillicores: cpu, memoryBytes: 1 << 30), scores: scores))
    }

    @Test func registersOnceAndADuplicateChangesNothing() {
        var registry = ClusterRegistry()
        #expect(registry.register(Self.request(), now: Self.now) == [.registered(ClusterRegistered(cluster: ManagedCluster(name: "c1", labels: ["site": "a"], claims: ["data": "/d"], resources: ClusterResources(cpuMillicores: 2000, memoryBytes: 1 << 30)), generation: 1))])
        #expect(registry.register(Self.request(), now: Self.now).isEmpty)
        guard case .registered(let changed) = registry.register(Self.request(claims: ["data": "/e"]), now: Self.now).first else {
            Issue.record("a changed claim was not published")
            return
        }
        #expect(changed.generation == 2 && changed.cluster.claims == ["data": "/e"])
    }

    @Test(arguments: [
        (request(name: "Bad_Name"), "name"),
        (request(claims: ["data": String(repeating: "x", count: 1025)]), "claims[data]"),
        (request(claims: ["bad key": "v"]), "claims[bad key]"),
        (request(cpu: -1), "resources.cpuMillicores"),
        (request(scores: ["s": 101]), "scores[s]"),
    ])
    func invalidRegistrationsAreRejectedWithTheFieldAndChangeNothing(_ request: ClusterRegistrationRequested, field: String) {
        var registry = ClusterRegistry()
        let outputs = registry.register(request, now: Self.now)
        guard case .rejected(let rejected) = outputs.first, outputs.count == 1 else {
            Issue.record("expected a rejection, got \(outputs)")
            return
        }
        #expect(rejected.errors.contains { $0.field == field }, "\(rejected.errors)")
        #expect(registry.entries.isEmpty)
    }

    @Test func deregistrationIsPublishedOnce() {
        var registry = ClusterRegistry()
        _ = registry.register(Self.request(), now: Self.now)
        #expect(registry.deregister(ClusterDeregistrationRequested(cluster: "c1", reason: "bye")) == [.deregistered(ClusterDeregistered(cluster: "c1", reason: "bye"))])
        #expect(registry.deregister(ClusterDeregistrationRequested(cluster: "c1", reason: "bye")).isEmpty)
    }

    static func request(name: String) -> ClusterRegistrationRequested { request(name) }
}
