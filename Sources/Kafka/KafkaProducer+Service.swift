import ServiceLifecycle

extension KafkaProducer: Service {
    /// Runs until graceful shutdown (or cancellation, or a direct ``shutdown()``), then
    /// flushes and closes the producer.
    public func run() async throws {
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await core.waitUntilFinished()
            } onGracefulShutdown: {
                self.core.beginShutdown()
            }
        } onCancel: {
            self.core.beginShutdown()
        }
    }
}
