import Crypto
import Foundation

/// Who signed an event and the signature: the serial of the signer's certificate (issued by the
/// hub's CA) and an ECDSA P-256 signature over ``EventEnvelope/signedContent``. On Kafka it
/// travels as two CloudEvents extension headers, so a signed event stays a plain CloudEvent.
public struct EventSignature: Sendable, Hashable {
    /// The signing certificate's serial number, lowercase hex.
    public var certificateSerial: String
    /// DER-encoded ECDSA signature.
    public var value: [UInt8]

    public init(certificateSerial: String, value: [UInt8]) {
        self.certificateSerial = certificateSerial
        self.value = value
    }
}

extension EventEnvelope {
    /// What a signature covers: every attribute a consumer acts on (id, type, source, time,
    /// subject, schema version, content type) and the SHA-256 of the whole data, one per line
    /// after a version tag. Pieces of a chunked event carry the whole event's signature; it is
    /// checked once the event is reassembled.
    public var signedContent: [UInt8] {
        let lines = [
            "flotilla-event-signature-v1", id, type.rawValue, source, Self.formatTime(time), subject,
            String(schemaVersion), contentType.rawValue, ModelDigest.sha256(data),
        ]
        return Array(lines.joined(separator: "\n").utf8)
    }
}
