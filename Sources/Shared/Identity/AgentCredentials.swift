import Crypto
import FlotillaContracts
import Foundation
import SwiftASN1
import X509

/// A cluster agent's own identity, kept in a directory on the cluster: its P-256 key (created
/// there once, 0600, it never leaves) and the certificate the hub issued for it.
public struct AgentCredentials: Sendable {
    public static let keyFile = "cluster.key.pem"
    public static let certificateFile = "cluster.crt.pem"
    public let cluster: String
    let key: P256.Signing.PrivateKey
    /// The hub's latest certificate for this key, if any.
    public private(set) var certificate: Certificate?
    let directory: URL

    /// Loads the key (creating it on first start) and any certificate kept beside it.
    public static func loadOrCreate(cluster: String, directory: URL) throws -> AgentCredentials {
        let manager = FileManager.default
        try manager.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let keyURL = directory.appendingPathComponent(keyFile)
        let key: P256.Signing.PrivateKey
        if manager.fileExists(atPath: keyURL.path) {
            do { key = try P256.Signing.PrivateKey(pemRepresentation: String(contentsOf: keyURL, encoding: .utf8)) } catch {
                throw IdentityError("\(keyURL.path) is not a PEM P-256 private key")
            }
        } else {
            key = P256.Signing.PrivateKey()
            try writeSecret(key.pemRepresentation, to: keyURL)
        }
        var credentials = AgentCredentials(cluster: cluster, key: key, certificate: nil, directory: directory)
        let certificateURL = directory.appendingPathComponent(certificateFile)
        if let pem = try? String(contentsOf: certificateURL, encoding: .utf8), let kept = try? Certificate(pemEncoded: pem),
           kept.publicKey == Certificate.PublicKey(key.publicKey) {
            credentials.certificate = kept
        }
        return credentials
    }

    /// A CSR for this cluster's key, PEM.
    public func certificateSigningRequest() throws -> String {
        let request = try CertificateSigningRequest(
            version: .v1,
            subject: try DistinguishedName {
                OrganizationName("flotilla")
                CommonName(cluster)
            },
            privateKey: Certificate.PrivateKey(key), attributes: CertificateSigningRequest.Attributes(), signatureAlgorithm: .ecdsaWithSHA256
        )
        return try request.serializeAsPEM().pemString
    }

    /// Takes a certificate the hub issued, if it is for this key and this cluster, and keeps it
    /// on disk. Returns false (and keeps nothing) otherwise.
    public mutating func accept(certificatePEM: String) throws -> Bool {
        guard let issued = try? Certificate(pemEncoded: certificatePEM), issued.publicKey == Certificate.PublicKey(key.publicKey),
              issued.subject.commonNames == [cluster] else { return false }
        let url = directory.appendingPathComponent(Self.certificateFile)
        try certificatePEM.write(to: url, atomically: true, encoding: .utf8)
        certificate = issued
        return true
    }

    /// Whether the certificate is valid at `now` with more than `remaining` of its lifetime left
    /// (a fraction, 0...1): false means enrol or renew.
    public func holdsCertificate(now: Date, renewWhenRemaining remaining: Double) -> Bool {
        guard let certificate, certificate.notValidBefore <= now, now < certificate.notValidAfter else { return false }
        let lifetime = certificate.notValidAfter.timeIntervalSince(certificate.notValidBefore)
        return certificate.notValidAfter.timeIntervalSince(now) > lifetime * remaining
    }

    /// Signs `envelope` with this cluster's key under its current certificate (unchanged when
    /// there is none yet: an enrolment is authenticated by its bootstrap proof instead).
    public func sign(_ envelope: EventEnvelope) -> EventEnvelope {
        guard let certificate, let signature = try? key.signature(for: envelope.signedContent) else { return envelope }
        var signed = envelope
        signed.signature = EventSignature(certificateSerial: certificate.serialNumber.hex, value: Array(signature.derRepresentation))
        return signed
    }
}
