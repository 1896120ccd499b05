import Foundation
import Logging
import Testing
@testable import FlotillaIdentity
@testable import Registry
@testable import Shared

/// Certificates mode, in process: an agent enrols once with a bootstrap token and then speaks
/// for its cluster only with the certificate it got; every way around that is refused with a
/// reason and changes nothing.
@Suite struct EnrollmentTests {
    let sink = RecordingEventSink(source: "flotilla/registry")
    let service: RegistryService
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("flotilla-enrol-\(UUID().uuidString)")

    init() throws {
        service = RegistryService(
            configuration: HubConfiguration(kafka: KafkaConfiguration(bootstrapServers: "unused:9092", clientID: "in-process"), topicPrefix: ""),
            sink: sink, lease: LeaseSettings(duration: 60, checkInterval: 1),
            identity: RegistryIdentity(mode: .certificates, authority: try HubAuthority.create(), certificateLifetime: 3_600),
            logger: Logger(label: "test.registry")
        )
    }

    /// A cluster's agent: its own key, and the token an operator gave it.
    struct Agent {
        var credentials: AgentCredentials
        var token: BootstrapToken
        var registration: ClusterRegistration { ClusterRegistryTests.request(credentials.cluster).registration }

        func enrolment(token: BootstrapToken? = nil, registration: ClusterRegistration? = nil) throws -> EventEnvelope {
            let csr = try credentials.certificateSigningRequest(), token = token ?? self.token
            let enrollment = Enrollment(csr: csr, tokenID: token.id, tokenProof: try token.proof(csr: csr, registration: registration ?? self.registration))
            return ClusterRegistrationRequested(registration: self.registration, enrollment: enrollment).envelope(source: "agent")
        }
    }

    func agent(_ cluster: String = "c1", expiresIn ttl: TimeInterval = 600) async throws -> Agent {
        let token = BootstrapToken()
        try await consume(BootstrapTokenIssued(cluster: cluster, tokenID: token.id, verifier: token.verifier, expiresAt: Date().addingTimeInterval(ttl)).envelope(source: "status-api"))
        return Agent(credentials: try AgentCredentials.loadOrCreate(cluster: cluster, directory: directory.appendingPathComponent(cluster)), token: token)
    }

    func consume(_ envelope: EventEnvelope) async throws {
        try await service.handle(ConsumedEvent(
            envelope: envelope, message: KafkaConsumerMessage(topic: envelope.type.topic.rawValue, partition: 0, offset: 0, value: []), topic: envelope.type.topic
        ))
    }

    func certificates() async throws -> [ClusterCertificateIssued] { try await sink.envelopes(of: .clusterCertificateIssued).map { try ClusterCertificateIssued(from: $0) } }
    func facts() async throws -> [ClusterRegistered] { try await sink.envelopes(of: .clusterRegistered).map { try ClusterRegistered(from: $0) } }
    func rejections() async throws -> [ClusterRegistrationRejected] { try await sink.envelopes(of: .clusterRegistrationRejected).map { try ClusterRegistrationRejected(from: $0) } }

    /// Enrols `agent`, gives it the certificate, and returns it.
    func enrolled(_ agent: Agent) async throws -> Agent {
        var agent = agent
        let request = try agent.enrolment()
        try await consume(request)
        let issued = try #require(try await certificates().last { $0.requestID == request.id })
        #expect(try agent.credentials.accept(certificatePEM: issued.certificate))
        return agent
    }

    @Test func anEnrolledAgentGetsACertificateAndItsSignedCommandsCount() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let agent = try await enrolled(try await agent())
        #expect(try await facts().map(\.generation) == [1])
        #expect(try await certificates().first?.tokenID == agent.token.id)
        // A signed change of claims is accepted.
        var changed = agent.registration
        changed.claims = ["data": "/e"]
        try await consume(agent.credentials.sign(ClusterRegistrationRequested(registration: changed).envelope(source: "agent")))
        #expect(try await facts().map(\.generation) == [1, 2])
        #expect(try await rejections().isEmpty)
    }

    @Test func aReusedExpiredOrForeignTokenAndAnAlteredRequestAreRefused() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = try await enrolled(try await agent("c1"))
        // Reused: a second key enrolling with the spent token.
        var thief = try await agent("c9")
        thief.credentials = try AgentCredentials.loadOrCreate(cluster: "c1", directory: directory.appendingPathComponent("thief"))
        try await consume(try thief.enrolment(token: first.token))
        // Expired.
        let late = try await agent("c2", expiresIn: -1)
        try await consume(try late.enrolment())
        // Another cluster's token: c3's token used for c4.
        let c3 = try await agent("c3")
        var c4 = c3
        c4.credentials = try AgentCredentials.loadOrCreate(cluster: "c4", directory: directory.appendingPathComponent("c4"))
        try await consume(try c4.enrolment())
        // Claims altered after the proof was made.
        let c5 = try await agent("c5")
        var wider = c5.registration
        wider.claims = ["data": "/other"]
        try await consume(try c5.enrolment(registration: wider))

        let reasons = try await rejections().map { ($0.cluster, $0.errors.map(\.description).joined()) }
        #expect(reasons.count == 4, "\(reasons)")
        #expect(reasons.contains { $0.0 == "c1" && $0.1.contains("already used") }, "\(reasons)")
        #expect(reasons.contains { $0.0 == "c2" && $0.1.contains("expired") }, "\(reasons)")
        #expect(reasons.contains { $0.0 == "c4" && $0.1.contains("for another cluster") }, "\(reasons)")
        #expect(reasons.contains { $0.0 == "c5" && $0.1.contains("proof does not verify") }, "\(reasons)")
        #expect(try await certificates().count == 1, "only the first enrolment got a certificate")
        #expect(try await facts().map(\.cluster.name) == ["c1"], "nothing else registered")
    }

    @Test func unsignedForeignOrRevokedCommandsChangeNothing() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let c1 = try await enrolled(try await agent("c1"))
        let c2 = try await enrolled(try await agent("c2"))
        let before = try await facts()

        // A forged re-registration (new claims), a heartbeat and a deregistration, all unsigned.
        var forged = c1.registration
        forged.claims = ["data": "/attacker"]
        try await consume(ClusterRegistrationRequested(registration: forged).envelope(source: "attacker"))
        try await consume(ClusterHeartbeat(cluster: "c1").envelope(source: "attacker"))
        try await consume(ClusterDeregistrationRequested(cluster: "c1", reason: "forged").envelope(source: "attacker"))
        // c2's certificate speaking for c1.
        try await consume(c2.credentials.sign(ClusterDeregistrationRequested(cluster: "c1", reason: "forged").envelope(source: "c2")))
        // A signed request altered after signing.
        var altered = c1.credentials.sign(ClusterRegistrationRequested(registration: c1.registration).envelope(source: "c1"))
        altered.data = Array(try JSONCoding.encoder.encode(ClusterRegistrationRequested(registration: forged)))
        try await consume(altered)

        #expect(try await facts() == before, "nothing changed")
        #expect(await sink.envelopes(of: .clusterDeregistered).isEmpty)
        let reasons = try await rejections().map { $0.errors.map(\.description).joined() }
        #expect(reasons.count == 5, "\(reasons)")
        #expect(reasons.filter { $0.contains("not signed") }.count == 3, "\(reasons)")
        #expect(reasons.contains { $0.contains("belongs to cluster 'c2'") }, "\(reasons)")
        #expect(reasons.contains { $0.contains("does not verify") }, "\(reasons)")

        // c1 leaves (signed); its certificate is honoured no more.
        try await consume(c1.credentials.sign(ClusterDeregistrationRequested(cluster: "c1", reason: "bye").envelope(source: "c1")))
        #expect(await sink.envelopes(of: .clusterDeregistered).count == 1)
        try await consume(c1.credentials.sign(ClusterRegistrationRequested(registration: c1.registration).envelope(source: "c1")))
        #expect(try await rejections().last?.errors.first?.problem.contains("revoked") == true)
        #expect(try await facts().filter { $0.cluster.name == "c1" }.count == before.filter { $0.cluster.name == "c1" }.count)
    }

    @Test func theSameEnrolmentSentAgainIsAnsweredOnceAndARenewalNeedsTheCurrentCertificate() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        var agent = try await agent("c1")
        let request = try agent.enrolment()
        try await consume(request)
        try await consume(request)  // the agent had not seen its certificate yet
        #expect(try await certificates().count == 1)
        #expect(try await rejections().isEmpty, "a resend is no reuse")
        #expect(try agent.credentials.accept(certificatePEM: try await certificates()[0].certificate))

        let renewal = agent.credentials.sign(ClusterRegistrationRequested(registration: agent.registration, enrollment: Enrollment(csr: try agent.credentials.certificateSigningRequest())).envelope(source: "c1"))
        try await consume(renewal)
        #expect(try await certificates().count == 2)
        #expect(try await certificates()[1].tokenID == nil)
        let unsignedRenewal = ClusterRegistrationRequested(registration: agent.registration, enrollment: Enrollment(csr: try agent.credentials.certificateSigningRequest())).envelope(source: "x")
        try await consume(unsignedRenewal)
        #expect(try await certificates().count == 2)
        #expect(try await rejections().last?.errors.first?.problem.contains("renewal must be signed") == true)
    }

    @Test func aRestartedRegistryRebuildsTokensAndCertificatesAndJudgesTheReplayedCommandsTheSameWay() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let c1 = try await enrolled(try await agent("c1"))
        let forged = ClusterDeregistrationRequested(cluster: "c1", reason: "forged").envelope(source: "attacker")
        try await consume(forged)
        let beat = c1.credentials.sign(ClusterHeartbeat(cluster: "c1").envelope(source: "c1"))
        try await consume(beat)

        // The log as a restarted registry reads it: its facts first, then the commands.
        var replay = RegistryReplay(gatekeeper: ClusterGatekeeper(mode: .certificates))
        func event(_ envelope: EventEnvelope) -> ConsumedEvent {
            ConsumedEvent(envelope: envelope, message: KafkaConsumerMessage(topic: envelope.topic.rawValue, partition: 0, offset: 0, value: []), topic: envelope.topic)
        }
        for envelope in await sink.envelopes where envelope.topic == .clusters { replay.apply(event(envelope)) }
        let token = BootstrapTokenIssued(cluster: "c1", tokenID: c1.token.id, verifier: c1.token.verifier, expiresAt: Date().addingTimeInterval(600))
        replay.apply(event(token.envelope(source: "status-api")))
        replay.apply(event(forged))
        replay.apply(event(beat))
        let (registry, outputs) = replay.finish(now: Date(), leaseDuration: 60)
        #expect(registry.entries["c1"] != nil, "the forged deregistration was not replayed")
        #expect(!outputs.contains { if case .deregistered = $0 { true } else { false } })
        #expect(replay.pendingEnrollments.isEmpty)
        // The rebuilt gatekeeper knows the token is spent and honours c1's certificate.
        let reuse = try c1.enrolment()
        guard case .refuse(let error) = replay.gatekeeper.judge(reuse, cluster: "c1", registration: c1.registration, enrollment: try ClusterRegistrationRequested(from: reuse).enrollment, now: Date()) else {
            Issue.record("a spent token was accepted after the restart")
            return
        }
        #expect(error.problem.contains("already used"))
        #expect(replay.gatekeeper.judge(c1.credentials.sign(ClusterHeartbeat(cluster: "c1").envelope(source: "c1")), cluster: "c1", now: Date()) == .admit)
    }
}
