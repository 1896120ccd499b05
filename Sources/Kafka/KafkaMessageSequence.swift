/// The messages of a ``KafkaConsumer``, as an `AsyncSequence`.
///
/// `next()` suspends while the consumer's queue polls librdkafka (off the cooperative pool);
/// one hop returns every message librdkafka has already fetched (up to 256 or ~1 MiB), and
/// later calls return them from the iterator's buffer. The sequence keeps its consumer alive.
public struct KafkaMessageSequence: AsyncSequence, Sendable {
    public typealias Element = KafkaConsumerMessage
    public typealias Failure = any Error

    let consumer: KafkaConsumer

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(consumer: consumer)
    }

    public struct AsyncIterator: AsyncIteratorProtocol, Sendable {
        let consumer: KafkaConsumer
        /// Messages polled in one hop to the consumer's queue and not yet returned.
        private var buffered: ArraySlice<KafkaConsumerMessage> = []
        private var finished = false

        init(consumer: KafkaConsumer) {
            self.consumer = consumer
        }

        public mutating func next() async throws -> KafkaConsumerMessage? {
            guard !finished else { return nil }
            if buffered.isEmpty {
                do {
                    buffered = try await consumer.core.nextBatch()[...]
                } catch {
                    finished = true
                    throw error
                }
            } else if consumer.core.isClosing || Task.isCancelled {
                // Unstored buffered messages are redelivered after a restart.
                buffered = []
            }
            guard let message = buffered.popFirst() else {
                finished = true
                return nil
            }
            return message
        }
    }
}
