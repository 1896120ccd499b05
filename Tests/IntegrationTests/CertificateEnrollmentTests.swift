import Collaborator
import Registry
import Foundation
import ServiceLifecycle
import Testing
@testable import Shared

/// Certificates mode on the real broker: an operator creates a bootstrap token over REST, the
/// agent enrols with it and signs everything after; a job runs to completion on signed
/// heartbeats; a forged deregistration in the cluster's name is refused with its reason and
/// changes nothing; the key never leaves the agent's directory and the token is in no event.
@Suite(.timeLimit(.minutes(3)))
struct CertificateEnrollmentTests {
    struct Created: Decodable { var cluster: String; var tokenID: String; var token: String }
    struct Certificate: Decodable { var serial: String; var renewal: Bool }
    struct ClusterView: Decodable { var name: String; var state: String; var reason: String?; var certificate: Certificate? }
    struct Clusters: Decodable { var items: [ClusterView] }

    @Test func anAgentEnrolsWithATokenSignsItsCommandsAndAForgeryChangesNothing() async throws {
        let stack = try await TestStack.make(clusters: 1, label: "enrol")
        var services = try stack.hubServices(registry: false, lease: LeaseSettings(duration: 3, checkInterval: 1))
        services += try stack.registryServices(certificates: true)
        try await stack.running(services) {
            _ = try await stack.waitFor("readyz", as: [String: String].self) { $0["status"] == "ready" }
            let (status, body) = try await stack.post("v1/clusters/c1/bootstrap-tokens", body: #"{"ttlSeconds": 600}"#, contentType: "application/json")
            #expect(status == 201, "\(String(decoding: body, as: UTF8.self))")
            let created = try JSONCoding.decoder.decode(Created.self, from: body)
            let tokenFile = stack.root.appendingPathComponent("c1.token")
            try created.token.write(to: tokenFile, atomically: true, encoding: .utf8)

            var configuration = stack.collaboratorConfiguration(1)
            configuration.bootstrapTokenFile = tokenFile
            let agent = ServiceGroup(configuration: .init(services: try Collaborator.services(configuration: configuration, logger: stack.logger).map { .init(service: $0) }, logger: stack.logger))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await agent.run() }
                _ = try await stack.waitFor("v1/clusters", as: Clusters.self) { $0.items.first?.state == "Registered" }
                let identity = configuration.identityRoot
                let keyMode = try FileManager.default.attributesOfItem(atPath: identity.appendingPathComponent("cluster.key.pem").path)[.posixPermissions] as? Int
                #expect(keyMode == 0o600)
                for _ in 0..<100 where !FileManager.default.fileExists(atPath: identity.appendingPathComponent("cluster.crt.pem").path) {
                    try await Task.sleep(for: .milliseconds(100))
                }
                #expect(FileManager.default.fileExists(atPath: identity.appendingPathComponent("cluster.crt.pem").path), "the agent kept its certificate")
                // The fleet view shows the certificate the cluster holds.
                let shown = try await stack.waitFor("v1/clusters", as: Clusters.self) { $0.items.first?.certificate != nil }
                #expect(shown.items.first?.certificate?.renewal == false)
                #expect(shown.items.first?.certificate?.serial.count == 40, "\(String(describing: shown.items.first?.certificate))")

                // A forged deregistration in c1's name, unsigned.
                let (producer, forger) = try EventPublisher.make(configuration: stack.hub, source: "attacker", logger: stack.logger)
                _ = try await stack.running([producer]) {
                    try await forger.publish(ClusterDeregistrationRequested(cluster: "c1", reason: "forged"))
                }
                let refused = try await stack.waitFor("v1/clusters", as: Clusters.self) { $0.items.first?.reason?.contains("not signed") == true }
                #expect(refused.items.first?.state == "Registered", "the forgery changed nothing")

                // A job runs to completion on the agent's signed heartbeats (a 3 s lease).
                let (jobStatus, jobBody) = try await stack.post("v1/jobs", body: TestStack.jobDocument(name: "signed-job", rounds: 2, minimum: 1))
                #expect(jobStatus == 202, "\(String(decoding: jobBody, as: UTF8.self))")
                let job = try await stack.waitFor("v1/jobs/signed-job", as: JobView.self) { $0.phase == "Completed" || $0.phase == "Failed" }
                #expect(job.phase == "Completed", "\(job)")

                await agent.triggerGracefulShutdown()
                try await tasks.waitForAll()

                // The token's secret is in no event on the log (read once the agent stopped beating).
                let log = try await EventLog.read(topics: [.registrations, .clusters], stack: stack)
                let secret = String(created.token.split(separator: "_", maxSplits: 2).last ?? "")
                #expect(secret.count == 43)
                #expect(!log.contains { String(decoding: $0.value, as: UTF8.self).contains(secret) || $0.headers.contains { String(decoding: $0.value, as: UTF8.self).contains(secret) } })
                #expect(log.contains { (try? ConsumedEvent(message: $0, topicPrefix: stack.hub.topicPrefix))?.envelope.type == .clusterCertificateIssued })
            }
        }
    }
}
