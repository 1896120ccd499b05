import Foundation
import Learning

/// A model event together with its safetensors bytes, encoded once. The aggregator writes these
/// bytes as a round's model file and sends the same buffer as the event, so the end of a round
/// holds one encoding of the model, not two.
public struct EncodedModel<Event: ModelEvent>: Sendable, Hashable {
    public let event: Event
    public let bytes: [UInt8]

    public init(_ event: Event) {
        self.event = event
        self.bytes = SafeTensors.encode(event.parameters, metadata: event.metadata)
    }

    public func envelope(source: String, id: String = UUID().uuidString.lowercased(), time: Date = Date()) -> EventEnvelope {
        EventEnvelope(id: id, type: Event.eventType, source: source, time: time, subject: event.subject, contentType: .safetensors, data: bytes)
    }
}
