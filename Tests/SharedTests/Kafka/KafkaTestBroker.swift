import Foundation
import Logging
import Shared
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A Kafka broker for tests: the one named by `FLOTILLA_KAFKA_BOOTSTRAP` (started once by the
/// test script), or else a private tansu broker on a free loopback port, stopped afterwards.
enum KafkaTestBroker {
    /// Runs `body` with a bootstrap address.
    static func with<T>(_ body: (String) async throws -> T) async throws -> T {
        if let bootstrap = ProcessInfo.processInfo.environment["FLOTILLA_KAFKA_BOOTSTRAP"], !bootstrap.isEmpty {
            return try await body(bootstrap)
        }
        let broker = try await TansuProcess.start()
        do {
            let result = try await body(broker.bootstrap)
            await broker.stop()
            return result
        } catch {
            await broker.stop()
            throw error
        }
    }

    /// Runs `body` with a private broker, even when a shared one is configured.
    static func withPrivate<T>(_ body: (TansuProcess) async throws -> T) async throws -> T {
        let broker = try await TansuProcess.start()
        do {
            let result = try await body(broker)
            await broker.stop()
            return result
        } catch {
            await broker.stop()
            throw error
        }
    }

    static func configuration(_ bootstrap: String, _ extra: [String: String] = [:]) -> KafkaConfiguration {
        KafkaConfiguration(bootstrapServers: bootstrap, clientID: "flotilla-tests", extraProperties: extra)
    }

    /// A name no other test (or earlier run against a shared broker) uses.
    static func uniqueName(_ prefix: String) -> String {
        "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
    }

    static let logger: Logger = {
        var logger = Logger(label: "flotilla.kafka.tests")
        logger.logLevel = .notice
        return logger
    }()
}

/// A tansu broker process owned by one test, stopped by its pid.
///
/// SIGKILL, because tansu waits for its client connections on SIGTERM; its storage is in memory
/// anyway. A test process that crashes leaves its brokers behind: the test script should start
/// one broker and pass `FLOTILLA_KAFKA_BOOTSTRAP`.
final class TansuProcess: Sendable {
    let port: UInt16
    private let process: Process
    private let stopped = Atomic(false)

    var bootstrap: String { "127.0.0.1:\(port)" }

    private init(port: UInt16, process: Process) {
        self.port = port
        self.process = process
    }

    static var binary: String {
        if let path = ProcessInfo.processInfo.environment["FLOTILLA_TANSU"], !path.isEmpty { return path }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/flotilla/bin/tansu").path
    }

    static func start() async throws -> TansuProcess {
        let port = try freePort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = [
            "broker", "--listener-url", "tcp://127.0.0.1:\(port)",
            "--advertised-listener-url", "tcp://127.0.0.1:\(port)",
        ]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let broker = TansuProcess(port: port, process: process)
        let deadline = ContinuousClock.now + .seconds(10)
        while !canConnect(port: port) {
            guard ContinuousClock.now < deadline else {
                await broker.stop()
                throw TestBrokerError.notReady("tansu on port \(port) did not accept connections")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        return broker
    }

    /// Kills the broker once and waits (without blocking the pool) until its port is closed.
    /// Foundation's `isRunning` is not consulted: on Linux it can lag behind by seconds.
    func stop() async {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        kill(process.processIdentifier, SIGKILL)
        let deadline = ContinuousClock.now + .seconds(5)
        while TansuProcess.canConnect(port: port), ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    /// A port that was free a moment ago (bind to port 0, read it back, close).
    static func freePort() throws -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestBrokerError.notReady("socket failed") }
        defer { close(fd) }
        var address = loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw TestBrokerError.notReady("bind failed") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return UInt16(bigEndian: address.sin_port)
    }

    static func canConnect(port: UInt16) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = loopback(port: port)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return result == 0
    }

    private static func loopback(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return address
    }
}

enum TestBrokerError: Error {
    case notReady(String)
}

extension KafkaConsumerMessage {
    var valueString: String { String(decoding: value, as: UTF8.self) }
}

extension KafkaRecord {
    init(topic: String, key: String? = nil, value: String, headers: [KafkaHeader] = []) {
        self.init(topic: topic, key: key.map { Array($0.utf8) }, value: Array(value.utf8), headers: headers)
    }
}

/// Reads `count` messages, failing after `timeout`.
func collect(_ count: Int, from consumer: KafkaConsumer, timeout: Duration = .seconds(20)) async throws -> [KafkaConsumerMessage] {
    try await withThrowingTaskGroup(of: [KafkaConsumerMessage].self) { group in
        group.addTask {
            var messages: [KafkaConsumerMessage] = []
            guard count > 0 else { return messages }
            for try await message in consumer.messages {
                messages.append(message)
                if messages.count == count { break }
            }
            return messages
        }
        group.addTask {
            try await Task.sleep(for: timeout)
            throw TestBrokerError.notReady("timed out waiting for \(count) messages")
        }
        let result = try await group.next()!
        group.cancelAll()
        return result
    }
}

