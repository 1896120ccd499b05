import Crypto
import Foundation
import Learning

/// Model-carrying events travel as safetensors files; their fields live in the file's own
/// `__metadata__` header (string to string), so a stored message is also a loadable model.
public protocol ModelEvent: Sendable, Hashable {
    static var eventType: EventType { get }
    var subject: String { get }
    var parameters: ModelParameters { get }
    var metadata: [String: String] { get }
    init(parameters: ModelParameters, metadata: [String: String]) throws(EventDecodingError)
    /// Built from values the decoder proved finite; events that can use the proof keep it
    /// (the default forgets it).
    init(finite parameters: FiniteParameters, metadata: [String: String]) throws(EventDecodingError)
}

extension ModelEvent {
    public func envelope(source: String, id: String = UUID().uuidString.lowercased(), time: Date = Date()) -> EventEnvelope {
        EncodedModel(self).envelope(source: source, id: id, time: time)
    }

    public init(finite parameters: FiniteParameters, metadata: [String: String]) throws(EventDecodingError) {
        try self.init(parameters: parameters.parameters, metadata: metadata)
    }

    /// Decodes the safetensors payload, checking every value finite in the copy decoding makes
    /// anyway. NaN or infinity is not a decoding error: such a model comes without the proof
    /// and its consumer decides, as the aggregator does by rejecting the update with a reason.
    public init(from envelope: EventEnvelope) throws(EventDecodingError) {
        guard envelope.type == Self.eventType else {
            throw EventDecodingError("expected event type \(Self.eventType.rawValue), got \(envelope.type.rawValue)")
        }
        guard envelope.contentType == .safetensors else {
            throw EventDecodingError("\(envelope.type.rawValue) must be \(EventEnvelope.ContentType.safetensors.rawValue)")
        }
        let decoded: DecodedModel
        do { decoded = try SafeTensors.decodeChecked(envelope.data) } catch { throw Self.unreadable(envelope, error) }
        try self.init(decoded: decoded, envelope: envelope)
    }

    /// The event from a model already decoded (e.g. while its pieces arrived), checked against
    /// the envelope it came in.
    public init(decoded: consuming DecodedModel, envelope: EventEnvelope) throws(EventDecodingError) {
        guard envelope.type == Self.eventType else {
            throw EventDecodingError("expected event type \(Self.eventType.rawValue), got \(envelope.type.rawValue)")
        }
        let metadata = decoded.metadata
        switch decoded.values {
        case let .finite(parameters): try self.init(finite: parameters, metadata: metadata)
        case let .nonFinite(parameters, _): try self.init(parameters: parameters, metadata: metadata)
        }
        guard subject == envelope.subject else {
            throw EventDecodingError("\(envelope.type.rawValue): subject '\(envelope.subject)' does not match metadata '\(subject)'")
        }
    }
}

extension ModelEvent {
    package static func unreadable(_ envelope: EventEnvelope, _ error: any Error) -> EventDecodingError {
        EventDecodingError("\(envelope.type.rawValue) is not a valid safetensors file: \(error)")
    }
}

/// Reads typed fields out of safetensors metadata, naming the one that is missing or wrong.
struct ModelMetadataReader {
    let metadata: [String: String]
    let eventType: EventType

    func string(_ key: String) throws(EventDecodingError) -> String {
        guard let value = metadata[key], !value.isEmpty else {
            throw EventDecodingError("\(eventType.rawValue): metadata '\(key)' is missing")
        }
        return value
    }

    func int(_ key: String) throws(EventDecodingError) -> Int {
        let text = try string(key)
        guard let value = Int(text) else { throw EventDecodingError("\(eventType.rawValue): metadata '\(key)' = '\(text)' is not an integer") }
        return value
    }

    func double(_ key: String) throws(EventDecodingError) -> Double {
        let text = try string(key)
        guard let value = Double(text) else { throw EventDecodingError("\(eventType.rawValue): metadata '\(key)' = '\(text)' is not a number") }
        return value
    }
}

/// The SHA-256 of a model's safetensors bytes, hex encoded: how models are named in events.
public enum ModelDigest {
    public static func sha256(_ bytes: [UInt8]) -> String {
        hex(SHA256.hash(data: bytes))
    }

    /// The hash of `SafeTensors.encode(parameters)`, computed from the tensors' own memory:
    /// no model-sized buffer is made.
    public static func sha256(of parameters: ModelParameters) -> String {
        var hasher = SHA256()
        SafeTensors.forEachSegment(of: parameters) { hasher.update(bufferPointer: $0) }
        return hex(hasher.finalize())
    }

    static func hex(_ digest: SHA256.Digest) -> String {
        digest.map { String(format: "%02x", $0) }.joined()
    }
}
