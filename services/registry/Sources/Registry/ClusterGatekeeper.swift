import FlotillaIdentity
import Foundation
import Shared

/// Who may speak for a cluster. In `open` mode anyone may; in `certificates` mode an agent
/// enrols once with a bootstrap token (proved, never sent) and a CSR, and every later command
/// for its cluster must be signed by a current certificate the hub's CA issued to it.
///
/// Pure and synchronous like ``ClusterRegistry``: the same rules judge live commands at
/// processing time and replayed ones at their event time.
public struct ClusterGatekeeper: Sendable {
    public enum Mode: String, Sendable, CaseIterable {
        case open, certificates
    }

    public enum Verdict: Sendable, Hashable {
        /// The command may change the cluster.
        case admit
        /// The command may change the cluster once a certificate is issued for this CSR.
        case enrol(csr: String, tokenID: String?)
        /// Refused: the field at fault and why.
        case refuse(FieldError)
    }

    struct Token: Sendable {
        var cluster: String
        var verifier: String
        var expiresAt: Date
    }

    public let mode: Mode
    private var tokens: [String: Token] = [:]
    public private(set) var book = CertificateBook()
    /// Registration requests that a logged certificate answers.
    private var answered: Set<String> = []
    /// Each spent token, with the request that spent it. Kept apart from `tokens`: a restarted
    /// registry reads the certificates (on `flotilla.clusters`) before the tokens.
    private var spent: [String: String] = [:]

    public init(mode: Mode) { self.mode = mode }

    /// Judges a command about `cluster` carried by `envelope`, at `now`: a registration (with
    /// what it declares and any enrolment), or a heartbeat or deregistration (both nil).
    public func judge(_ envelope: EventEnvelope, cluster: String, registration: ClusterRegistration? = nil, enrollment: Enrollment? = nil, now: Date) -> Verdict {
        guard mode == .certificates else { return .admit }
        guard let enrollment, let registration else {
            if let problem = book.problem(with: envelope, signedBy: cluster) { return .refuse(FieldError(field: "signature", problem: problem)) }
            return .admit
        }
        guard let tokenID = enrollment.tokenID else {
            // A renewal: proved by the certificate it replaces.
            if let problem = book.problem(with: envelope, signedBy: cluster) {
                return .refuse(FieldError(field: "signature", problem: "a renewal must be signed by the cluster's current certificate: \(problem)"))
            }
            return answered.contains(envelope.id) ? .admit : .enrol(csr: enrollment.csr, tokenID: nil)
        }
        let field = "enrollment.tokenID"
        guard let token = tokens[tokenID] else { return .refuse(FieldError(field: field, problem: "no bootstrap token \(tokenID) was issued")) }
        guard token.cluster == cluster else { return .refuse(FieldError(field: field, problem: "bootstrap token \(tokenID) is for another cluster")) }
        guard let proof = enrollment.tokenProof, BootstrapToken.isValid(proof: proof, verifier: token.verifier, csr: enrollment.csr, registration: registration) else {
            return .refuse(FieldError(field: "enrollment.tokenProof", problem: "the proof does not verify: this agent does not hold bootstrap token \(tokenID), or the request was altered"))
        }
        // The very request that spent the token, sent again or replayed: it changes no certificate.
        if let spentBy = spent[tokenID] { return spentBy == envelope.id ? .admit : .refuse(FieldError(field: field, problem: "bootstrap token \(tokenID) was already used")) }
        guard now < token.expiresAt else {
            return .refuse(FieldError(field: field, problem: "bootstrap token \(tokenID) expired at \(EventEnvelope.formatTime(token.expiresAt))"))
        }
        return .enrol(csr: enrollment.csr, tokenID: tokenID)
    }

    public mutating func learn(_ issued: BootstrapTokenIssued) {
        guard tokens[issued.tokenID] == nil else { return }  // a token id is issued once
        tokens[issued.tokenID] = Token(cluster: issued.cluster, verifier: issued.verifier, expiresAt: issued.expiresAt)
    }

    public mutating func learn(_ issued: ClusterCertificateIssued) {
        book.record(issued)
        if let tokenID = issued.tokenID { spent[tokenID] = issued.requestID ?? "" }
        if let requestID = issued.requestID { answered.insert(requestID) }
    }

    /// The cluster left: none of its certificates is honoured any more.
    public mutating func left(_ cluster: String) { book.revokeAll(of: cluster) }
}
