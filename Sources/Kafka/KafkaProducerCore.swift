import CRdKafka
import Dispatch
import Logging
import Synchronization

/// The producer's handle, its delivery-report poll loop and its shutdown state.
///
/// A serial queue (a GCD thread, not the cooperative pool) runs `rd_kafka_poll` in 100 ms
/// steps; delivery reports resume the `send` continuations from there. Shutdown stops new
/// sends, flushes, purges what is left, fails any send still waiting, and destroys the handle.
final class KafkaProducerCore: Sendable {
    typealias Delivery = (partition: Int32, offset: Int64)

    private enum Phase: Equatable {
        case running, shuttingDown, finished
    }

    private struct State {
        var phase = Phase.running
        var finishWaiters: [CheckedContinuation<Void, Never>] = []
    }

    let client: RDKafkaClient
    let logger: Logger
    private let queue: DispatchQueue
    private let flushTimeoutMilliseconds: Int32
    private let state = Mutex(State())

    init(configuration: KafkaConfiguration, logger: Logger) throws {
        self.client = try RDKafkaClient(kind: .producer, properties: configuration.producerProperties, logger: logger) {
            rd_kafka_conf_set_dr_msg_cb($0, rdKafkaDeliveryReportCallback)
        }
        self.logger = logger
        self.queue = DispatchQueue(label: "flotilla.kafka.producer.\(configuration.clientID)")
        self.flushTimeoutMilliseconds = Int32(clamping: configuration.shutdownFlushTimeoutMilliseconds)
    }

    func startPolling() {
        queue.async { self.pollStep() }
    }

    /// Enqueues one record and suspends until its delivery report (or a local failure).
    func produce(_ record: KafkaRecord) async throws -> Delivery {
        try await withCheckedThrowingContinuation { continuation in
            let deliveries = client.context.deliveries
            let id = deliveries.register(continuation)
            // The phase check and the enqueue happen under one lock, so no record is enqueued
            // after shutdown has begun (and shutdown's flush therefore covers every record).
            let result: rd_kafka_resp_err_t? = state.withLock { state in
                guard state.phase == .running else { return nil }
                return Self.enqueue(record, on: client.handle, opaque: UnsafeMutableRawPointer(bitPattern: id))
            }
            switch result {
            case nil:
                deliveries.complete(id, with: .failure(KafkaError.closed("producer")))
            case RD_KAFKA_RESP_ERR_NO_ERROR?:
                break
            case let error?:
                deliveries.complete(id, with: .failure(KafkaError(error, "produce to \(record.topic): \(String(cString: rd_kafka_err2str(error)))")))
            }
        }
    }

    /// `rd_kafka_producev` through the shim; on failure the headers are still ours to destroy.
    private static func enqueue(_ record: KafkaRecord, on handle: OpaquePointer, opaque: UnsafeMutableRawPointer?) -> rd_kafka_resp_err_t {
        var headers: OpaquePointer?
        if !record.headers.isEmpty {
            headers = rd_kafka_headers_new(record.headers.count)
            for header in record.headers {
                header.value.withUnsafeBytes { value in
                    _ = rd_kafka_header_add(headers, header.key, -1, value.baseAddress, value.count)
                }
            }
        }
        let error = record.value.withUnsafeBytes { value in
            withOptionalBytes(record.key) { key in
                flotilla_produce(
                    handle, record.topic, record.partition ?? -1 /* RD_KAFKA_PARTITION_UA */, key?.baseAddress, key?.count ?? 0,
                    value.baseAddress, value.count, headers, opaque
                )
            }
        }
        if error != RD_KAFKA_RESP_ERR_NO_ERROR, let headers {
            rd_kafka_headers_destroy(headers)
        }
        return error
    }

    func beginShutdown() {
        let started = state.withLock { state in
            guard state.phase == .running else { return false }
            state.phase = .shuttingDown
            return true
        }
        guard started else { return }
        logger.debug("Kafka producer shutting down")
        // Wake the poll loop so shutdown starts now rather than after the current 100 ms poll.
        _ = try? client.withLiveHandle("producer") { rd_kafka_yield($0) }
    }

    func waitUntilFinished() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let finished = state.withLock { state in
                guard state.phase != .finished else { return true }
                state.finishWaiters.append(continuation)
                return false
            }
            if finished { continuation.resume() }
        }
    }

    private func pollStep() {
        guard state.withLock({ $0.phase == .running }) else {
            finish()
            return
        }
        rd_kafka_poll(client.handle, 100)
        queue.async { self.pollStep() }
    }

    /// Runs once, on the queue, after the phase left `.running`.
    private func finish() {
        let handle = client.handle
        if rd_kafka_flush(handle, flushTimeoutMilliseconds) != RD_KAFKA_RESP_ERR_NO_ERROR {
            logger.warning(
                "Kafka producer flush timed out; purging unsent messages",
                metadata: ["kafka.outstanding": "\(rd_kafka_outq_len(handle))"]
            )
            _ = rd_kafka_purge(handle, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT)
            // Serve the purge reports so their sends fail with a purge error.
            _ = rd_kafka_flush(handle, 1000)
        }
        client.context.deliveries.failAll(with: KafkaError.closed("producer"))
        client.destroy()
        let waiters = state.withLock { state in
            state.phase = .finished
            defer { state.finishWaiters.removeAll() }
            return state.finishWaiters
        }
        logger.debug("Kafka producer closed")
        for waiter in waiters {
            waiter.resume()
        }
    }
}

/// Calls `body` with the bytes of `bytes`, or with nil when there are none (a null key).
private func withOptionalBytes<R>(_ bytes: [UInt8]?, _ body: (UnsafeRawBufferPointer?) -> R) -> R {
    guard let bytes else { return body(nil) }
    return bytes.withUnsafeBytes { body($0) }
}
