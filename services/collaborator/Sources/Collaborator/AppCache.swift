import Foundation
import Logging
import Shared

/// Uploaded trainer apps on this cluster: fetched from the hub's `flotilla.blobs` the first
/// time a job names one, checked against its digest, unpacked (refusing anything that would
/// leave its directory) into `<workRoot>/apps/<hex>/`, and kept for every later job that
/// names the same digest. Nothing is fetched from anywhere else.
actor AppCache {
    let configuration: HubConfiguration
    let producer: KafkaProducer
    let root: URL
    let logger: Logger

    init(configuration: HubConfiguration, producer: KafkaProducer, root: URL, logger: Logger) {
        self.configuration = configuration
        self.producer = producer
        self.root = root
        self.logger = logger
    }

    func directory(for digest: String) async throws(TrainerFailure) -> URL {
        guard AppArchive.isDigest(digest) else { throw TrainerFailure(reason: "the app '\(TextFields.escaped(String(digest.prefix(80))))' is not a sha256: digest") }
        let hex = String(digest.dropFirst("sha256:".count))
        let directory = root.appendingPathComponent(hex, isDirectory: true)
        if FileManager.default.fileExists(atPath: directory.path) { return directory }
        let started = ContinuousClock.now
        let archive = try await fetch(digest)
        let staging = root.appendingPathComponent("\(hex).unpacking-\(UUID().uuidString)", isDirectory: true)
        do {
            try AppArchive.unpack(archive, into: staging)
            try FileManager.default.moveItem(at: staging, to: directory)  // whole, or not at all
        } catch where FileManager.default.fileExists(atPath: directory.path) {
            try? FileManager.default.removeItem(at: staging)  // another task unpacked it meanwhile
        } catch {
            try? FileManager.default.removeItem(at: staging)
            throw TrainerFailure(reason: "the app \(digest) cannot be unpacked: \(error)")
        }
        logger.info("app fetched and unpacked", metadata: ["app": "\(digest)", "bytes": "\(archive.count)", "took": "\(ContinuousClock.now - started)"])
        return directory
    }

    /// Reads `flotilla.blobs` up to now for the digest (its pieces reassembled and checked).
    private func fetch(_ digest: String) async throws(TrainerFailure) -> [UInt8] {
        let fetch = BlobFetch(configuration: configuration, producer: producer, service: "collaborator-apps", logger: logger)
        let found: [UInt8]?
        do {
            found = try await fetch.fetch([digest])[digest]
        } catch {
            throw TrainerFailure(reason: "cannot read the hub's apps: \(error)")
        }
        guard let found else { throw TrainerFailure(reason: "the app \(digest) is not on the hub (flotilla submit --app uploads it)") }
        return found
    }
}
