import Crypto
import FlotillaContracts
import Foundation

/// A one-time bootstrap token: `flb_<id>_<secret>`, 8 random bytes of id and 32 of secret.
///
/// The hub records only the id and a P-256 public key derived from the secret (a one-way
/// function, as a hash is). The agent proves it holds the token by signing its CSR with the
/// derived private key, so the secret never travels, not even to the hub, and a proof seen on
/// the log enrols nothing else.
public struct BootstrapToken: Sendable {
    public static let prefix = "flb_"
    public let id: String
    let secret: [UInt8]

    /// A fresh token from the system's secure random source.
    public init() {
        var generator = SystemRandomNumberGenerator()
        id = (0..<8).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
        secret = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    /// Parses the text an operator handed to the agent; the error never echoes the secret.
    public init(text: String) throws(IdentityError) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let parts = trimmed.split(separator: "_", maxSplits: 2, omittingEmptySubsequences: false)  // base64url may hold "_"
        guard trimmed.hasPrefix(Self.prefix), parts.count == 3, parts[1].count == 16, parts[1].allSatisfy({ $0.isHexDigit && !$0.isUppercase }),
              let secret = Data(base64URL: String(parts[2])), secret.count == 32 else {
            throw IdentityError("the bootstrap token is not of the form flb_<16 hex digits>_<43 base64url characters>")
        }
        id = String(parts[1])
        self.secret = Array(secret)
    }

    /// What the operator hands to the agent, once.
    public var text: String { "\(Self.prefix)\(id)_\(Data(secret).base64URLEncoded())" }

    /// The private key derived from the secret (SHA-256 of a tagged secret, used as a scalar).
    private var provingKey: P256.Signing.PrivateKey {
        var hasher = SHA256()
        hasher.update(data: Array("flotilla-bootstrap-key-v1".utf8))
        hasher.update(data: secret)
        // A digest at or above the curve's order (odds about 2^-32) is hashed once more.
        var scalar = Array(hasher.finalize())
        while true {
            if let key = try? P256.Signing.PrivateKey(rawRepresentation: scalar) { return key }
            scalar = Array(SHA256.hash(data: scalar))
        }
    }

    /// What the hub records: base64 of the derived public key's X9.63 form.
    public var verifier: String { provingKey.publicKey.x963Representation.base64EncodedString() }

    /// The proof for a CSR and registration: a signature by the derived key over ``BootstrapProof``'s content.
    public func proof(csr: String, registration: ClusterRegistration) throws -> String {
        try provingKey.signature(for: BootstrapProof.content(csr: csr, registration: registration)).derRepresentation.base64EncodedString()
    }

    /// Whether `proof` was made with the token whose verifier is `verifier`, for this CSR and registration.
    public static func isValid(proof: String, verifier: String, csr: String, registration: ClusterRegistration) -> Bool {
        guard let keyBytes = Data(base64Encoded: verifier), let key = try? P256.Signing.PublicKey(x963Representation: keyBytes),
              let signatureBytes = Data(base64Encoded: proof), let signature = try? P256.Signing.ECDSASignature(derRepresentation: signatureBytes) else {
            return false
        }
        return key.isValidSignature(signature, for: BootstrapProof.content(csr: csr, registration: registration))
    }
}

extension Data {
    init?(base64URL text: String) {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        self.init(base64Encoded: base64)
    }

    func base64URLEncoded() -> String {
        base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}
