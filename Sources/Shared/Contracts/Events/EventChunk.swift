/// One piece of an event too large for one Kafka message. Every piece carries the transfer's
/// id (the original event's id), its position, the count, and the SHA-256 of the whole data,
/// so the receiver can reassemble it and prove it intact.
public struct EventChunk: Sendable, Hashable {
    public var transferID: String
    public var index: Int
    public var count: Int
    public var sha256: String

    public init(transferID: String, index: Int, count: Int, sha256: String) {
        self.transferID = transferID
        self.index = index
        self.count = count
        self.sha256 = sha256
    }
}

extension EventEnvelope {
    /// Splits the envelope into pieces of at most `maximumBytes` of data (itself when it fits).
    public func chunked(maximumBytes: Int) -> [EventEnvelope] {
        Array(pieces(maximumBytes: maximumBytes))
    }

    /// The same pieces, made one at a time as they are read, so sending a large model holds
    /// one piece beside it rather than a second copy of the whole.
    public func pieces(maximumBytes: Int) -> LazyMapSequence<Range<Int>, EventEnvelope> {
        guard data.count > maximumBytes, maximumBytes > 0 else { return (0..<1).lazy.map { _ in self } }
        let digest = ModelDigest.sha256(data)
        let count = (data.count + maximumBytes - 1) / maximumBytes
        return (0..<count).lazy.map { index in
            var piece = self
            piece.id = "\(id)-\(index)"
            piece.data = Array(data[(index * maximumBytes)..<min(data.count, (index + 1) * maximumBytes)])
            piece.chunk = EventChunk(transferID: id, index: index, count: count, sha256: digest)
            return piece
        }
    }
}
