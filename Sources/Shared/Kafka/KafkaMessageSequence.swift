/// The messages of a ``KafkaConsumer``, as an `AsyncSequence`.
///
/// Each `next()` suspends while the consumer's queue polls librdkafka (off the cooperative
/// pool). The sequence keeps its consumer alive.
public struct KafkaMessageSequence: AsyncSequence, Sendable {
    public typealias Element = KafkaConsumerMessage
    public typealias Failure = any Error

    let consumer: KafkaConsumer

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(consumer: consumer)
    }

    public struct AsyncIterator: AsyncIteratorProtocol, Sendable {
        let consumer: KafkaConsumer
        private var finished = false

        init(consumer: KafkaConsumer) {
            self.consumer = consumer
        }

        public mutating func next() async throws -> KafkaConsumerMessage? {
            guard !finished else { return nil }
            do {
                let message = try await consumer.core.nextMessage()
                if message == nil { finished = true }
                return message
            } catch {
                finished = true
                throw error
            }
        }
    }
}
