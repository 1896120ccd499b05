import CRdKafka
import Foundation
import Logging
import Synchronization

/// The single owner of one `rd_kafka_t` and of the context its C callbacks see.
///
/// `destroy()` is the only call that invalidates the handle and runs at most once. Owners
/// make blocking calls (poll, flush, close, destroy) on their own serial `DispatchQueue`,
/// never on Swift's cooperative pool. Calls made from other threads go through
/// ``withLiveHandle(_:)``, which holds the lock that `destroy()` takes, so they never touch
/// a destroyed handle.
final class RDKafkaClient: @unchecked Sendable {
    // @unchecked Sendable: `handle` and `context` are immutable after init; librdkafka's
    // `rd_kafka_t` is thread-safe; the only mutable state, `isDestroyed`, is guarded by `lock`,
    // and `destroy()` takes that lock so no `withLiveHandle` body can overlap it.

    enum Kind {
        case producer, consumer
    }

    let handle: OpaquePointer
    let context: RDKafkaClientContext
    let logger: Logger
    private let retainedContext: Unmanaged<RDKafkaClientContext>
    private let lock = NSLock()
    private var isDestroyed = false

    /// The first librdkafka version that is safe here: 2.8 is the first that tansu can talk to
    /// (older ones misparse ApiVersions v3), and before 2.10 a topic that came back with a new
    /// topic id (a broker restarted empty) left a freed entry in the metadata cache: SIGSEGV.
    static let minimumVersion: Int32 = 0x020A_0000

    /// - Parameter configure: extra setup of the `rd_kafka_conf_t` (e.g. callbacks) before creation.
    init(
        kind: Kind,
        properties: [String: String],
        logger: Logger,
        configure: (OpaquePointer) -> Void = { _ in }
    ) throws {
        Self.checkVersion(logger: logger)
        let context = RDKafkaClientContext(logger: logger)
        let conf = try Self.makeConf(properties)
        let retained = Unmanaged.passRetained(context)
        rd_kafka_conf_set_opaque(conf, retained.toOpaque())
        rd_kafka_conf_set_log_cb(conf, rdKafkaLogCallback)
        rd_kafka_conf_set_error_cb(conf, rdKafkaErrorCallback)
        configure(conf)

        var errstr = [CChar](repeating: 0, count: 512)
        let type = kind == .producer ? RD_KAFKA_PRODUCER : RD_KAFKA_CONSUMER
        guard let handle = rd_kafka_new(type, conf, &errstr, errstr.count) else {
            // On failure the configuration is still ours.
            rd_kafka_conf_destroy(conf)
            retained.release()
            throw KafkaError(code: .invalidArgument, message: "rd_kafka_new: \(string(from: errstr))")
        }
        self.handle = handle
        self.context = context
        self.retainedContext = retained
        self.logger = logger
    }

    /// Runs a short, non-blocking call on the handle, or throws ``KafkaError/Code/closed``
    /// once the handle has been destroyed.
    func withLiveHandle<T>(_ what: String, _ body: (OpaquePointer) throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        guard !isDestroyed else { throw KafkaError.closed(what) }
        return try body(handle)
    }

    var isAlive: Bool {
        lock.withLock { !isDestroyed }
    }

    /// Destroys the handle (blocking; call it off the cooperative pool) and then releases
    /// the callback context. Later calls do nothing. `skippingConsumerClose`: for a consumer
    /// whose close could not finish (its broker is gone), destroy without trying again.
    func destroy(skippingConsumerClose: Bool = false) {
        let first = lock.withLock {
            defer { isDestroyed = true }
            return !isDestroyed
        }
        guard first else { return }
        rd_kafka_destroy_flags(handle, skippingConsumerClose ? Int32(RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE) : 0)
        retainedContext.release()
    }

    /// The fatal error raised on this handle, if any (cheap; safe while the handle lives).
    func fatalError() -> KafkaError? {
        var errstr = [CChar](repeating: 0, count: 512)
        let code = rd_kafka_fatal_error(handle, &errstr, errstr.count)
        guard code != RD_KAFKA_RESP_ERR_NO_ERROR else { return nil }
        return KafkaError(code: KafkaError.Code(code), message: string(from: errstr), isRetriable: false, isFatal: true)
    }

    private static func makeConf(_ properties: [String: String]) throws -> OpaquePointer {
        guard let conf = rd_kafka_conf_new() else {
            throw KafkaError(code: .invalidArgument, message: "rd_kafka_conf_new failed")
        }
        var errstr = [CChar](repeating: 0, count: 512)
        for (key, value) in properties.sorted(by: { $0.key < $1.key }) {
            if rd_kafka_conf_set(conf, key, value, &errstr, errstr.count) != RD_KAFKA_CONF_OK {
                rd_kafka_conf_destroy(conf)
                // Only the key is reported: values may be secrets.
                throw KafkaError(code: .invalidArgument, message: "property \(key): \(string(from: errstr))")
            }
        }
        return conf
    }

    private static let versionChecked = Mutex(false)

    private static func checkVersion(logger: Logger) {
        let alreadyChecked = versionChecked.withLock { checked in
            defer { checked = true }
            return checked
        }
        guard !alreadyChecked, rd_kafka_version() < minimumVersion else { return }
        logger.warning(
            "librdkafka is older than 2.10: it crashes when a topic is recreated (a broker restarted empty), and tansu needs 2.8 or newer",
            metadata: ["kafka.librdkafka": "\(String(cString: rd_kafka_version_str()))"]
        )
    }
}

/// What librdkafka's callbacks reach through the handle's opaque pointer. It is retained by
/// its ``RDKafkaClient`` until after `rd_kafka_destroy` returns, so callbacks never see it freed.
final class RDKafkaClientContext: Sendable {
    let logger: Logger
    /// Outstanding producer sends, completed by delivery reports (unused by consumers).
    let deliveries = RDKafkaDeliveryRegistry()

    init(logger: Logger) {
        self.logger = logger
    }

    static func from(_ handle: OpaquePointer?) -> RDKafkaClientContext? {
        guard let handle, let opaque = rd_kafka_opaque(handle) else { return nil }
        return Unmanaged<RDKafkaClientContext>.fromOpaque(opaque).takeUnretainedValue()
    }
}

/// Decodes a NUL-terminated C buffer (librdkafka's `errstr`).
func string(from buffer: [CChar]) -> String {
    buffer.withUnsafeBufferPointer { pointer in
        guard let base = pointer.baseAddress else { return "" }
        return String(cString: base)
    }
}
