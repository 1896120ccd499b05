import ServiceLifecycle

extension KafkaConsumer: Service {
    /// Runs until graceful shutdown (or cancellation, or a direct ``close()``), then closes
    /// the consumer, which also ends every iteration of ``messages``.
    public func run() async throws {
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await core.waitUntilClosed()
            } onGracefulShutdown: {
                self.core.beginClose()
            }
        } onCancel: {
            self.core.beginClose()
        }
    }
}
