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
        EventEnvelope(
            id: id, type: Self.eventType, source: source, time: time, subject: subject,
            contentType: .safetensors, data: SafeTensors.encode(parameters, metadata: metadata)
        )
    }

    public init(finite parameters: FiniteParameters, metadata: [String: String]) throws(EventDecodingError) {
        try self.init(parameters: parameters.parameters, metadata: metadata)
    }

    /// Decodes the safetensors payload, checking every value finite in the copy decoding makes
    /// anyway. NaN or infinity is not a decoding error: such a model is decoded without the
    /// proof (a second decode, only then) and its consumer decides, as the aggregator does by
    /// rejecting the update with a reason.
    public init(from envelope: EventEnvelope) throws(EventDecodingError) {
        guard envelope.type == Self.eventType else {
            throw EventDecodingError("expected event type \(Self.eventType.rawValue), got \(envelope.type.rawValue)")
        }
        guard envelope.contentType == .safetensors else {
            throw EventDecodingError("\(envelope.type.rawValue) must be \(EventEnvelope.ContentType.safetensors.rawValue)")
        }
        let finite: (parameters: FiniteParameters, metadata: [String: String])?
        do {
            finite = try SafeTensors.decodeFinite(envelope.data)
        } catch SafeTensorsError.nonFiniteValues {
            finite = nil
        } catch {
            throw Self.unreadable(envelope, error)
        }
        if let finite {
            try self.init(finite: finite.parameters, metadata: finite.metadata)
        } else {
            let decoded: (parameters: ModelParameters, metadata: [String: String])
            do { decoded = try SafeTensors.decode(envelope.data) } catch { throw Self.unreadable(envelope, error) }
            try self.init(parameters: decoded.parameters, metadata: decoded.metadata)
        }
        guard subject == envelope.subject else {
            throw EventDecodingError("\(envelope.type.rawValue): subject '\(envelope.subject)' does not match metadata '\(subject)'")
        }
    }
}

extension ModelEvent {
    fileprivate static func unreadable(_ envelope: EventEnvelope, _ error: any Error) -> EventDecodingError {
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
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }

    public static func sha256(of parameters: ModelParameters) -> String {
        sha256(SafeTensors.encode(parameters))
    }
}
