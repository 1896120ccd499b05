import Foundation
import ServiceLifecycle
import Testing
@testable import Shared

/// A restarted registry rebuilds the fleet from its own facts: it still knows every cluster,
/// so it can tell when one of them stops renewing its lease.
@Suite(.timeLimit(.minutes(2)))
struct RegistryRestartTests {
    struct Clusters: Decodable {
        struct Item: Decodable {
            struct Cluster: Decodable { struct Taint: Decodable { var key: String; var effect: String }; var taints: [Taint] }
            var name: String
            var state: String
            var generation: Int
            var cluster: Cluster?
        }
        var items: [Item]
    }

    @Test func aRestartedRegistryStillTaintsAClusterWhoseLeaseExpires() async throws {
        let stack = try await TestStack.make(clusters: 2, label: "registry-restart")
        let doomed = ServiceGroup(configuration: .init(services: try stack.collaboratorServices(1).map { .init(service: $0) }, logger: stack.logger))
        try await stack.running(try stack.hubServices(registry: false) + stack.collaboratorServices(2)) {
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await doomed.run() }
                // First registry: learns both clusters, then stops.
                try await stack.running(try stack.registryServices()) {
                    _ = try await stack.waitFor("v1/clusters", as: Clusters.self) { $0.items.filter { $0.state == "Registered" }.count == 2 }
                }
                // Second registry on the same topics; c1's agent then dies.
                try await stack.running(try stack.registryServices()) {
                    try await Task.sleep(for: .seconds(2))
                    await doomed.triggerGracefulShutdown()
                    try await tasks.waitForAll()
                    let tainted = try await stack.waitFor("v1/clusters", as: Clusters.self, timeout: .seconds(20)) { list in
                        list.items.first { $0.name == "c1" }?.cluster?.taints.contains { $0.key == Taint.unavailableKey } == true
                    }
                    let c1 = try #require(tainted.items.first { $0.name == "c1" })
                    #expect(c1.generation >= 2, "the restored generation continued instead of restarting at 1")
                    let c2 = try #require(tainted.items.first { $0.name == "c2" })
                    #expect(c2.cluster?.taints.isEmpty == true, "the live cluster kept its lease across the restart")
                }
            }
        }
    }
}
