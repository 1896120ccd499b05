import FlotillaIdentity
import Foundation
import Shared

/// This cluster's identity at the hub: its key and certificate, and the bootstrap token it
/// enrols with once. Signs every command the agent sends; says when to enrol or renew.
public actor AgentIdentity {
    private var credentials: AgentCredentials
    private let token: BootstrapToken?
    /// Renew when this fraction of the certificate's lifetime remains: drawn once per agent in
    /// 20–25%, OCM's jittered threshold, so a fleet enrolled together does not renew together.
    let renewalFraction = Double.random(in: 0.20...0.25)

    /// Loads (or creates) the key; reads the bootstrap token if there is one. Returns nil when
    /// the agent has neither a token nor a kept certificate: it then registers unsigned.
    public static func load(configuration: CollaboratorConfiguration) throws -> AgentIdentity? {
        let name = configuration.registration.name
        let tokenText = try configuration.bootstrapTokenFile.map { url in
            do { return try String(contentsOf: url, encoding: .utf8) } catch { throw IdentityError("cannot read the bootstrap token file \(url.path)") }
        }
        let hasCertificate = FileManager.default.fileExists(atPath: configuration.identityRoot.appendingPathComponent(AgentCredentials.certificateFile).path)
        guard tokenText != nil || hasCertificate else { return nil }
        return AgentIdentity(
            credentials: try AgentCredentials.loadOrCreate(cluster: name, directory: configuration.identityRoot),
            token: try tokenText.map { text throws(IdentityError) in try BootstrapToken(text: text) }
        )
    }

    init(credentials: AgentCredentials, token: BootstrapToken?) {
        self.credentials = credentials
        self.token = token
    }

    /// What to send with the next registration: nil while the certificate has more than the
    /// renewal threshold left; a renewal (signed by the current certificate) near its end; an
    /// enrolment with the bootstrap token's proof when there is no valid certificate.
    public func enrollmentDue(for registration: ClusterRegistration, now: Date = Date()) throws -> Enrollment? {
        if credentials.holdsCertificate(now: now, renewWhenRemaining: renewalFraction) { return nil }
        let csr = try credentials.certificateSigningRequest()
        if credentials.holdsCertificate(now: now, renewWhenRemaining: 0) { return Enrollment(csr: csr) }
        guard let token else {
            throw IdentityError("cluster \(credentials.cluster) holds no valid certificate and has no bootstrap token: create one with `flotilla clusters token create \(credentials.cluster)` and set \(ConfigurationKey.bootstrapTokenFile.rawValue)")
        }
        return Enrollment(csr: csr, tokenID: token.id, tokenProof: try token.proof(csr: csr, registration: registration))
    }

    /// Whether commands can be signed now.
    public func holdsCertificate(now: Date = Date()) -> Bool { credentials.holdsCertificate(now: now, renewWhenRemaining: 0) }

    public func sign(_ envelope: EventEnvelope) -> EventEnvelope { credentials.sign(envelope) }

    /// Takes a certificate the hub issued to this cluster's key; false if it is not ours.
    public func accept(_ issued: ClusterCertificateIssued) throws -> Bool { try credentials.accept(certificatePEM: issued.certificate) }
}
