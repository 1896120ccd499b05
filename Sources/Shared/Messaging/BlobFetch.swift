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
