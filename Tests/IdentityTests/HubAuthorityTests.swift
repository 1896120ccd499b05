import Crypto
import Foundation
import Testing
import X509
import _CryptoExtras
@testable import FlotillaIdentity

/// The hub's CA: kept across restarts with its key private, and strict about what it signs.
@Suite struct HubAuthorityTests {
    static let now = Date(timeIntervalSince1970: 1_900_000_000)

    static func temporaryDirectory() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("flotilla-ca-\(UUID().uuidString)")
    }

    static func csr(
        for cluster: String, key: Certificate.PrivateKey = Certificate.PrivateKey(P256.Signing.PrivateKey()), algorithm: Certificate.SignatureAlgorithm = .ecdsaWithSHA256
    ) throws -> String {
        let request = try CertificateSigningRequest(
            version: .v1, subject: try DistinguishedName { CommonName(cluster) }, privateKey: key,
            attributes: CertificateSigningRequest.Attributes(), signatureAlgorithm: algorithm
        )
        return try request.serializeAsPEM().pemString
    }

    @Test func theCAIsCreatedOnceKeptWithAPrivateKeyFileAndLoadedAgain() throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let created = try HubAuthority.loadOrCreate(directory: directory, now: Self.now)
        let keyPath = directory.appendingPathComponent(HubAuthority.keyFile).path
        let mode = try FileManager.default.attributesOfItem(atPath: keyPath)[.posixPermissions] as? Int
        #expect(mode == 0o600, "the key file is \(String(mode ?? 0, radix: 8))")
        let loaded = try HubAuthority.loadOrCreate(directory: directory, now: Self.now)
        #expect(loaded.certificate == created.certificate, "a restart keeps the CA")
        #expect(try loaded.certificate.extensions.basicConstraints == .isCertificateAuthority(maxPathLength: 0))

        try FileManager.default.removeItem(atPath: keyPath)
        let error = #expect(throws: IdentityError.self) { try HubAuthority.loadOrCreate(directory: directory) }
        #expect(error?.description.contains("only one of") == true, "\(String(describing: error))")
    }

    @Test func aCertificateNamesItsClusterIsShortLivedAndVerifiesWithTheCA() throws {
        let authority = try HubAuthority.create(now: Self.now)
        let issued = try authority.certificate(csrPEM: try Self.csr(for: "edge-1"), cluster: "edge-1", lifetime: 3_600, now: Self.now)
        #expect(authority.issued(issued))
        #expect(issued.subject.commonNames == ["edge-1"])
        #expect(issued.notValidAfter == Self.now.addingTimeInterval(3_600))
        #expect(try issued.extensions.subjectAlternativeNames?.contains(.uniformResourceIdentifier("spiffe://flotilla/cluster/edge-1")) == true)
        #expect(try issued.extensions.extendedKeyUsage?.contains(.clientAuth) == true)
        #expect(try issued.extensions.basicConstraints == .notCertificateAuthority)
        #expect(!(try HubAuthority.create(now: Self.now)).issued(issued), "another CA did not issue it")
    }

    @Test func aCSRForAnotherClusterAWeakKeyOrABrokenSignatureIsRefused() throws {
        let authority = try HubAuthority.create(now: Self.now)
        let other = #expect(throws: IdentityError.self) {
            try authority.issue(csrPEM: try Self.csr(for: "edge-2"), cluster: "edge-1", lifetime: 3_600, now: Self.now)
        }
        #expect(other?.description == "the CSR names 'edge-2' but is for cluster 'edge-1'")

        let rsa = Certificate.PrivateKey(try _RSA.Signing.PrivateKey(keySize: .bits2048))
        let weak = #expect(throws: IdentityError.self) {
            try authority.issue(csrPEM: try Self.csr(for: "edge-1", key: rsa, algorithm: .sha256WithRSAEncryption), cluster: "edge-1", lifetime: 3_600, now: Self.now)
        }
        #expect(weak?.description.contains("weak or unsupported") == true)

        // The same request with another key's public key in it: its signature no longer verifies.
        let genuine = try CertificateSigningRequest(pemEncoded: try Self.csr(for: "edge-1"))
        let swapped = try CertificateSigningRequest(
            version: genuine.version, subject: genuine.subject, publicKey: Certificate.PrivateKey(P256.Signing.PrivateKey()).publicKey,
            attributes: genuine.attributes, signatureAlgorithm: genuine.signatureAlgorithm, signature: genuine.signature
        )
        let forged = #expect(throws: IdentityError.self) {
            try authority.issue(csrPEM: try swapped.serializeAsPEM().pemString, cluster: "edge-1", lifetime: 3_600, now: Self.now)
        }
        #expect(forged?.description.contains("does not verify") == true)
        #expect(throws: IdentityError.self) { try authority.issue(csrPEM: "not a csr", cluster: "edge-1", lifetime: 3_600, now: Self.now) }
    }
}
