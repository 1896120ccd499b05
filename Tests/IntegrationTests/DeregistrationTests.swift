import Foundation
import ServiceLifecycle
import Testing
@testable import Shared

/// An agent that leaves for good deregisters its cluster; the fleet view says so.
@Suite(.timeLimit(.minutes(1)))
struct DeregistrationTests {
    @Test func aStoppedAgentThatDeregistersLeavesTheFleet() async throws {
        let stack = try await TestStack.make(clusters: 1, label: "deregister")
        let agent = ServiceGroup(configuration: .init(services: try stack.collaboratorServices(1, deregisterOnExit: true).map { .init(service: $0) }, logger: stack.logger))
        try await stack.running(try stack.hubServices()) {
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await agent.run() }
                _ = try await stack.waitFor("v1/clusters", as: ClusterList.self) { $0.items.first?.state == "Registered" }
                await agent.triggerGracefulShutdown()
                try await tasks.waitForAll()
                let list = try await stack.waitFor("v1/clusters", as: ClusterList.self) { $0.items.first?.state == "Deregistered" }
                #expect(list.items.map(\.name) == ["c1"])
            }
        }
    }
}
