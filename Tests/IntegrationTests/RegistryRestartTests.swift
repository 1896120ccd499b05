import Foundation
import ServiceLifecycle
import Testing
@testable import Shared

/// A restarted registry rebuilds the fleet from its own facts and the agents' commands: it
/// still knows every cluster, so it can tell when one of them stops renewing its lease; a dead
/// cluster is tainted once, not republished again and again; and a registry restarted on that
/// history neither taints the live clusters nor publishes the dead one again.
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
                    try await Task.sleep(for: .seconds(4))  // a few lease checks after the expiry
                }
                let afterExpiry = try await Self.facts(stack)
                #expect(afterExpiry.filter { $0.cluster.name == "c1" && $0.isUnavailable }.count == 1, "c1 was tainted once: \(afterExpiry.map(\.generation))")
                // A third registry on that history: c1 stays tainted as it was, c2 stays untainted.
                try await stack.running(try stack.registryServices()) {
                    try await Task.sleep(for: .seconds(6))  // past a lease of 3 s and its checks
                }
                let afterRestart = try await Self.facts(stack)
                #expect(afterRestart.count == afterExpiry.count, "the restart published \(afterRestart.dropFirst(afterExpiry.count).map { "\($0.cluster.name) \($0.generation)" })")
            }
        }
    }

    /// The facts on `flotilla.clusters`, in log order per cluster.
    static func facts(_ stack: TestStack) async throws -> [ClusterRegistered] {
        try await EventLog.read(topics: [.clusters], stack: stack, idle: .seconds(1)).compactMap { message in
            guard let event = try? ConsumedEvent(message: message, topicPrefix: stack.hub.topicPrefix), event.envelope.type == .clusterRegistered else { return nil }
            return try event.payload(ClusterRegistered.self)
        }
    }
}

extension ClusterRegistered {
    var isUnavailable: Bool { cluster.taints.contains { $0.key == Taint.unavailableKey } }
}
