import Learning

/// An event read from Kafka, with where it was read from (for offsets and dead letters).
public struct ConsumedEvent: Sendable {
    public var envelope: EventEnvelope
    public var message: KafkaConsumerMessage
    public var topic: Topic
    /// The model of a safetensors transfer decoded while its pieces arrived (or why it is not a
    /// valid file); `envelope.data` is then empty. Nil: `model(_:)` decodes `envelope.data`.
    public var decodedModel: Result<DecodedModel, SafeTensorsError>?

    public init(envelope: EventEnvelope, message: KafkaConsumerMessage, topic: Topic, decodedModel: Result<DecodedModel, SafeTensorsError>? = nil) {
        self.envelope = envelope
        self.decodedModel = decodedModel
        self.message = message
        self.topic = topic
    }

    /// Reads the event in a message of a Flotilla topic (named with `topicPrefix`), checking that
    /// the message is an event and that its type belongs on that topic.
    public init(message: KafkaConsumerMessage, topicPrefix: String) throws(PermanentEventError) {
        let envelope: EventEnvelope
        do {
            envelope = try EventEnvelope(message: message)
        } catch {
            throw PermanentEventError(error.reason)
        }
        guard let topic = Topic.allCases.first(where: { $0.name(prefix: topicPrefix) == message.topic }) else {
            throw PermanentEventError("topic \(message.topic) is not a Flotilla topic")
        }
        guard envelope.type.topic == topic else {
            throw PermanentEventError("event type \(envelope.type.rawValue) does not belong on \(message.topic)")
        }
        self.init(envelope: envelope, message: message, topic: topic)
    }

    public func payload<P: EventPayload>(_ type: P.Type) throws(EventDecodingError) -> P { try P(from: envelope) }
    public func model<M: ModelEvent>(_ type: M.Type) throws(EventDecodingError) -> M {
        switch decodedModel {
        case nil: return try M(from: envelope)
        case let .success(decoded): return try M(decoded: decoded, envelope: envelope)
        case let .failure(error): throw M.unreadable(envelope, error)
        }
    }

    /// Takes the whole event a transfer's last piece completed.
    mutating func assembled(_ whole: ChunkAssembler.Assembled) {
        envelope = whole.envelope
        decodedModel = whole.model
    }
}

/// A handler's verdict that an event can never be processed (bad content, not a passing
/// fault): the event goes to the dead-letter topic with this reason instead of being retried.
public struct PermanentEventError: Error, Sendable, CustomStringConvertible {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}
