import Foundation
import Testing
@testable import FlotillaContracts
@testable import FlotillaIdentity

/// A bootstrap token proves possession without travelling, and binds what it enrols.
@Suite struct BootstrapTokenTests {
    static let registration = ClusterRegistration(name: "edge-1", claims: ["data": "/d"], resources: ClusterResources(cpuMillicores: 1000, memoryBytes: 1 << 30))

    @Test func theTextRoundTripsAndMalformedTextIsRefusedWithoutEchoingIt() throws {
        for _ in 0..<50 {  // base64url secrets hold '_' and '-' now and then
            let token = BootstrapToken()
            let parsed = try BootstrapToken(text: token.text + "\n")
            #expect(parsed.id == token.id && parsed.verifier == token.verifier)
        }
        for bad in ["", "flb_abc_def", "xyz_0123456789abcdef_" + String(repeating: "A", count: 43), "flb_0123456789ABCDEF_" + String(repeating: "A", count: 43)] {
            let error = #expect(throws: IdentityError.self) { try BootstrapToken(text: bad) }
            #expect(error.map { bad.isEmpty || !$0.description.contains(bad) } == true)
        }
    }

    @Test func aProofVerifiesOnlyForItsTokenCSRAndRegistration() throws {
        let token = BootstrapToken(), csr = "-----BEGIN CERTIFICATE REQUEST-----\nAA==\n-----END CERTIFICATE REQUEST-----"
        let proof = try token.proof(csr: csr, registration: Self.registration)
        #expect(BootstrapToken.isValid(proof: proof, verifier: token.verifier, csr: csr, registration: Self.registration))
        #expect(!BootstrapToken.isValid(proof: proof, verifier: BootstrapToken().verifier, csr: csr, registration: Self.registration), "another token")
        #expect(!BootstrapToken.isValid(proof: proof, verifier: token.verifier, csr: csr + " ", registration: Self.registration), "another CSR")
        var claimsMore = Self.registration
        claimsMore.claims["data"] = "/elsewhere"
        #expect(!BootstrapToken.isValid(proof: proof, verifier: token.verifier, csr: csr, registration: claimsMore), "altered claims")
        #expect(!BootstrapToken.isValid(proof: "AAAA", verifier: token.verifier, csr: csr, registration: Self.registration))
        #expect(!proof.contains(token.text) && !token.verifier.contains(String(token.text.dropFirst(21))), "the secret travels in neither")
    }
}
