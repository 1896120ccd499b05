import Crypto
import FlotillaContracts
import Foundation
import SwiftASN1
import X509

/// The hub's certificate authority: a P-256 key and a self-signed CA certificate, loaded from
/// a directory or created there on first start and kept (the key file 0600, never logged).
/// It issues short-lived client certificates to clusters from their CSRs.
public struct HubAuthority: Sendable {
    public static let keyFile = "ca.key.pem"
    public static let certificateFile = "ca.crt.pem"
    public let certificate: Certificate
    let key: Certificate.PrivateKey

    /// Loads the CA from `directory`, or creates it there when neither file exists.
    public static func loadOrCreate(directory: URL, now: Date = Date()) throws -> HubAuthority {
        let keyURL = directory.appendingPathComponent(keyFile), certificateURL = directory.appendingPathComponent(certificateFile)
        let manager = FileManager.default
        switch (manager.fileExists(atPath: keyURL.path), manager.fileExists(atPath: certificateURL.path)) {
        case (true, true):
            return try load(keyPEM: String(contentsOf: keyURL, encoding: .utf8), certificatePEM: String(contentsOf: certificateURL, encoding: .utf8))
        case (false, false):
            let authority = try create(now: now)
            try manager.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try writeSecret(authority.key.serializeAsPEM().pemString, to: keyURL)
            try authority.certificate.serializeAsPEM().pemString.write(to: certificateURL, atomically: true, encoding: .utf8)
            return authority
        case (true, false), (false, true):
            throw IdentityError("\(directory.path) holds only one of \(keyFile) and \(certificateFile); restore the other or remove both to create a new CA")
        }
    }

    public static func load(keyPEM: String, certificatePEM: String) throws -> HubAuthority {
        let key: Certificate.PrivateKey, certificate: Certificate
        do { key = try Certificate.PrivateKey(pemEncoded: keyPEM) } catch { throw IdentityError("the CA key is not a PEM private key") }
        do { certificate = try Certificate(pemEncoded: certificatePEM) } catch { throw IdentityError("the CA certificate is not a PEM certificate: \(error)") }
        guard certificate.publicKey == key.publicKey else { throw IdentityError("the CA key does not match the CA certificate") }
        return HubAuthority(certificate: certificate, key: key)
    }

    /// A new CA valid for ten years.
    public static func create(now: Date = Date()) throws -> HubAuthority {
        let key = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let name = try DistinguishedName {
            OrganizationName("flotilla")
            CommonName("flotilla hub CA")
        }
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: key.publicKey,
            notValidBefore: now.addingTimeInterval(-300), notValidAfter: now.addingTimeInterval(10 * 365 * 86_400),
            issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
            },
            issuerPrivateKey: key
        )
        return HubAuthority(certificate: certificate, key: key)
    }

    /// The CA certificate, PEM: what every service and agent trusts.
    public var certificatePEM: String { (try? certificate.serializeAsPEM().pemString) ?? "" }

    /// A client certificate for `cluster` from its CSR, valid for `lifetime` seconds from `now`.
    /// Refuses a CSR whose signature is wrong, whose subject names another cluster, or whose
    /// key is not an ECDSA P-256 or P-384 key.
    public func issue(csrPEM: String, cluster: String, lifetime: TimeInterval, now: Date) throws(IdentityError) -> IssuedCertificate {
        let issued = try certificate(csrPEM: csrPEM, cluster: cluster, lifetime: lifetime, now: now)
        do {
            return IssuedCertificate(pem: try issued.serializeAsPEM().pemString, serial: issued.serialNumber.hex, notValidAfter: issued.notValidAfter)
        } catch {
            throw IdentityError("the certificate could not be encoded: \(error)")
        }
    }

    func certificate(csrPEM: String, cluster: String, lifetime: TimeInterval, now: Date) throws(IdentityError) -> Certificate {
        let request: CertificateSigningRequest
        do { request = try CertificateSigningRequest(pemEncoded: csrPEM) } catch { throw IdentityError("the CSR is not a PEM certificate signing request") }
        guard request.publicKey.isValidSignature(request.signature, for: request) else {
            throw IdentityError("the CSR's signature does not verify with its own key")
        }
        let named = request.subject.commonNames
        guard named == [cluster] else {
            throw IdentityError("the CSR names \(named.isEmpty ? "no cluster" : "'\(named.joined(separator: ", "))'") but is for cluster '\(cluster)'")
        }
        guard P256.Signing.PublicKey(request.publicKey) != nil || P384.Signing.PublicKey(request.publicKey) != nil else {
            throw IdentityError("the CSR's key is weak or unsupported: only ECDSA P-256 and P-384 keys are accepted")
        }
        do {
            return try Certificate(
                version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: request.publicKey,
                notValidBefore: now.addingTimeInterval(-60), notValidAfter: now.addingTimeInterval(lifetime),
                issuer: certificate.subject,
                subject: try DistinguishedName {
                    OrganizationName("flotilla")
                    CommonName(cluster)
                },
                signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.notCertificateAuthority)
                    Critical(KeyUsage(digitalSignature: true))
                    try ExtendedKeyUsage([.clientAuth])
                    SubjectAlternativeNames([.uniformResourceIdentifier(ClusterIdentity.uri(cluster))])
                },
                issuerPrivateKey: key
            )
        } catch {
            throw IdentityError("the CA could not sign the certificate: \(error)")
        }
    }

    /// Whether `certificate` was issued by this CA (its signature verifies with the CA's key).
    public func issued(_ candidate: Certificate) -> Bool {
        candidate.issuer == certificate.subject && certificate.publicKey.isValidSignature(candidate.signature, for: candidate)
    }
}

/// A certificate the CA issued, as the registry publishes it.
public struct IssuedCertificate: Sendable, Hashable {
    public var pem: String
    /// Lowercase hex, as signed events name it.
    public var serial: String
    public var notValidAfter: Date
}

/// Names used in the certificates a cluster holds.
public enum ClusterIdentity {
    /// The URI SAN naming a cluster, in the SPIFFE form.
    public static func uri(_ cluster: String) -> String { "spiffe://flotilla/cluster/\(cluster)" }
}

extension DistinguishedName {
    /// Every common name in the name, in order.
    var commonNames: [String] {
        flatMap { $0 }.filter { $0.type == .RDNAttributeType.commonName }.compactMap { String($0.value) }
    }
}

extension Certificate.SerialNumber {
    /// Lowercase hex, as signed events name it.
    public var hex: String { bytes.map { String(format: "%02x", $0) }.joined() }
}

/// Writes a new secret file (a key, a token) readable by its owner only: created with that
/// mode, never widened, and never over an existing file.
public func writeSecret(_ text: String, to url: URL) throws(IdentityError) {
    let descriptor = open(url.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
    guard descriptor >= 0 else { throw IdentityError("cannot create \(url.path): \(String(cString: strerror(errno)))") }
    defer { close(descriptor) }
    let bytes = Array(text.utf8)
    guard bytes.withUnsafeBytes({ write(descriptor, $0.baseAddress, $0.count) }) == bytes.count else {
        throw IdentityError("cannot write \(url.path): \(String(cString: strerror(errno)))")
    }
}
