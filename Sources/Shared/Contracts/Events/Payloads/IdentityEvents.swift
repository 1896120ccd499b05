import Foundation

/// How an agent asks the hub's CA for a certificate, sent inside its registration: a CSR for a
/// key generated on the cluster (the key never leaves it), and either proof of a bootstrap
/// token (first enrolment) or, for a renewal, the request is signed by the current certificate.
public struct Enrollment: Codable, Sendable, Hashable {
    /// PKCS#10 certificate signing request, PEM.
    public var csr: String
    /// The bootstrap token's id (never its secret); nil for a renewal.
    public var tokenID: String?
    /// ECDSA P-256 signature, base64 DER, by the key derived from the token's secret over
    /// ``BootstrapProof/content(csr:registration:)``: the secret itself never travels.
    public var tokenProof: String?

    public init(csr: String, tokenID: String? = nil, tokenProof: String? = nil) {
        self.csr = csr
        self.tokenID = tokenID
        self.tokenProof = tokenProof
    }
}

/// What a bootstrap token's proof signs: the CSR's and the registration's SHA-256 (the cluster
/// is named in both), so a proof seen on the log enrols no other key, cluster or declaration.
public enum BootstrapProof {
    public static func content(csr: String, registration: ClusterRegistration) -> [UInt8] {
        // Sorted keys: one encoding for one registration.
        let declared = (try? JSONCoding.encoder.encode(registration)).map { Array($0) } ?? []
        return Array("flotilla-bootstrap-v1\n\(registration.name)\n\(ModelDigest.sha256(Array(csr.utf8)))\n\(ModelDigest.sha256(declared))".utf8)
    }
}

/// Fact from the status API: an operator created a one-time bootstrap token for a cluster.
/// Only the token's id and the public key derived from its secret are recorded (a one-way
/// function, as a hash is): whoever reads the log can check a proof but not make one.
public struct BootstrapTokenIssued: EventPayload {
    public static let eventType = EventType.bootstrapTokenIssued
    public var cluster: String
    public var tokenID: String
    /// The P-256 public key derived from the token's secret, base64 of its X9.63 form.
    public var verifier: String
    public var expiresAt: Date
    public var subject: String { cluster }

    public init(cluster: String, tokenID: String, verifier: String, expiresAt: Date) {
        self.cluster = cluster
        self.tokenID = tokenID
        self.verifier = verifier
        self.expiresAt = expiresAt
    }
}

/// Fact from the registry: the hub's CA issued a client certificate to a cluster. The
/// certificate is public; every service learns the cluster's current key from it.
public struct ClusterCertificateIssued: EventPayload {
    public static let eventType = EventType.clusterCertificateIssued
    public var cluster: String
    /// The certificate, PEM.
    public var certificate: String
    /// Its serial number, lowercase hex (what signed events name).
    public var serial: String
    public var notValidAfter: Date
    /// The bootstrap token spent on it (nil for a renewal).
    public var tokenID: String?
    /// The registration request it answers.
    public var requestID: String?
    public var subject: String { cluster }

    public init(cluster: String, certificate: String, serial: String, notValidAfter: Date, tokenID: String?, requestID: String?) {
        self.cluster = cluster
        self.certificate = certificate
        self.serial = serial
        self.notValidAfter = notValidAfter
        self.tokenID = tokenID
        self.requestID = requestID
    }
}
