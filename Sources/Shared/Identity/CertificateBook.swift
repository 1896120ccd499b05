import Crypto
import FlotillaContracts
import Foundation
import X509

/// The clusters' certificates as the hub's services know them from the log: each issued
/// certificate by serial, the cluster it names, its key and its validity. Checks that an event
/// was signed by its cluster's certificate, valid when the event was made.
public struct CertificateBook: Sendable {
    struct Entry: Sendable {
        var cluster: String
        var key: Certificate.PublicKey
        var notValidBefore: Date
        var notValidAfter: Date
    }

    private var entries: [String: Entry] = [:]
    /// Serials no longer honoured (the cluster left, or was revoked).
    private var revoked: Set<String> = []

    public init() {}

    /// Records an issued certificate; one that does not parse or does not name its cluster is
    /// ignored (a consumer validates what it reads).
    public mutating func record(_ fact: ClusterCertificateIssued) {
        guard let certificate = try? Certificate(pemEncoded: fact.certificate), certificate.serialNumber.hex == fact.serial,
              certificate.subject.commonNames == [fact.cluster] else { return }
        entries[fact.serial] = Entry(cluster: fact.cluster, key: certificate.publicKey, notValidBefore: certificate.notValidBefore, notValidAfter: certificate.notValidAfter)
    }

    /// Stops honouring every certificate of `cluster`.
    public mutating func revokeAll(of cluster: String) {
        for (serial, entry) in entries where entry.cluster == cluster { revoked.insert(serial) }
    }

    public func holdsCertificate(of cluster: String, at time: Date) -> Bool {
        entries.contains { serial, entry in entry.cluster == cluster && !revoked.contains(serial) && entry.notValidBefore <= time && time < entry.notValidAfter }
    }

    /// Nil when `envelope` carries a valid signature by a current certificate of `cluster`,
    /// valid at the event's time; otherwise why not.
    public func problem(with envelope: EventEnvelope, signedBy cluster: String) -> String? {
        guard let signature = envelope.signature else { return "the event is not signed" }
        guard let entry = entries[signature.certificateSerial] else { return "certificate \(signature.certificateSerial) was not issued by this hub" }
        guard entry.cluster == cluster else { return "certificate \(signature.certificateSerial) belongs to cluster '\(entry.cluster)', not '\(cluster)'" }
        guard !revoked.contains(signature.certificateSerial) else { return "certificate \(signature.certificateSerial) was revoked" }
        guard entry.notValidBefore <= envelope.time, envelope.time < entry.notValidAfter else {
            return "certificate \(signature.certificateSerial) was not valid at \(EventEnvelope.formatTime(envelope.time))"
        }
        guard entry.key.isValidSignature(signature.value, for: envelope.signedContent, signatureAlgorithm: .ecdsaWithSHA256) else {
            return "the signature does not verify with certificate \(signature.certificateSerial)"
        }
        return nil
    }
}
