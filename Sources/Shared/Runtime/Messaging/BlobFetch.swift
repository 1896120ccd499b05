import Logging

/// Reads blobs (trainer apps, initial models) from the hub's `flotilla.blobs`, the one place
/// they are kept: the topic up to now, each blob reassembled from its pieces and checked
/// against its digest (``BlobPublished``). Nothing is fetched from anywhere else.
public struct BlobFetch: Sendable {
    public let replay: TopicReplay

    public init(configuration: HubConfiguration, producer: KafkaProducer, service: String, logger: Logger) {
        replay = TopicReplay(configuration: configuration, producer: producer, service: service, logger: logger)
    }

    /// The bytes of each of `digests` found on the topic; a digest not there is absent.
    public func fetch(_ digests: Set<String>) async throws -> [String: [UInt8]] {
        guard !digests.isEmpty else { return [:] }
        var found: [String: [UInt8]] = [:]
        _ = try await replay.replay([.blobs]) { event in
            let digest = event.envelope.subject
            guard digests.contains(digest), found[digest] == nil, let blob = try? BlobPublished(envelope: event.envelope) else { return }
            found[digest] = blob.bytes
        }
        return found
    }
}

/// Where blobs come from: the hub's `flotilla.blobs` (``BlobFetch``) or, in tests, memory.
public protocol BlobSource: Sendable {
    /// The bytes of each of `digests` there is; a digest not found is absent.
    func fetch(_ digests: Set<String>) async throws -> [String: [UInt8]]
}

extension BlobFetch: BlobSource {}

/// The in-memory twin of ``BlobFetch``: the blobs it was given, by digest.
public struct InMemoryBlobs: BlobSource {
    public let blobs: [String: [UInt8]]

    public init(_ contents: [[UInt8]] = []) {
        blobs = Dictionary(contents.map { (AppArchive.digest(of: $0), $0) }, uniquingKeysWith: { first, _ in first })
    }

    public func fetch(_ digests: Set<String>) -> [String: [UInt8]] { blobs.filter { digests.contains($0.key) } }
}
