import Foundation

/// A JSON event payload: the type it travels as, and the entity (Kafka key) it is about.
public protocol EventPayload: Codable, Sendable, Hashable {
    static var eventType: EventType { get }
    var subject: String { get }
}

extension EventPayload {
    public func envelope(source: String, id: String = UUID().uuidString.lowercased(), time: Date = Date()) -> EventEnvelope {
        EventEnvelope(
            id: id, type: Self.eventType, source: source, time: time, subject: subject,
            // Our payloads are plain value types and non-finite floats are written as strings,
            // so encoding cannot fail.
            contentType: .json, data: Array(try! JSONCoding.encoder.encode(self))
        )
    }

    /// Decodes the payload of an envelope, checking that the type and subject agree.
    public init(from envelope: EventEnvelope) throws(EventDecodingError) {
        guard envelope.type == Self.eventType else {
            throw EventDecodingError("expected event type \(Self.eventType.rawValue), got \(envelope.type.rawValue)")
        }
        guard envelope.contentType == .json else {
            throw EventDecodingError("\(envelope.type.rawValue) must be application/json, got \(envelope.contentType.rawValue)")
        }
        do {
            self = try JSONCoding.decoder.decode(Self.self, from: Data(envelope.data))
        } catch {
            throw EventDecodingError("\(envelope.type.rawValue) payload: \(JSONCoding.describe(error))")
        }
        guard subject == envelope.subject else {
            throw EventDecodingError("\(envelope.type.rawValue): subject '\(envelope.subject)' does not match payload '\(subject)'")
        }
    }
}
