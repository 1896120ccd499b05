/// An event read from Kafka, with where it was read from (for offsets and dead letters).
public struct ConsumedEvent: Sendable {
    public var envelope: EventEnvelope
    public var message: KafkaConsumerMessage
    public var topic: Topic

    public init(envelope: EventEnvelope, message: KafkaConsumerMessage, topic: Topic) {
        self.envelope = envelope
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
    public func model<M: ModelEvent>(_ type: M.Type) throws(EventDecodingError) -> M { try M(from: envelope) }
}

/// A handler's verdict that an event can never be processed (bad content, not a passing
/// fault): the event goes to the dead-letter topic with this reason instead of being retried.
public struct PermanentEventError: Error, Sendable, CustomStringConvertible {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}
