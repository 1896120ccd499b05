import Crypto
import Learning

/// Puts chunked events back together. Pieces of one transfer share a key, so they arrive in
/// order on one partition: a gap means a piece was lost, and the transfer is refused.
///
/// What becomes of a safetensors transfer is chosen with ``ModelHandling``: kept as bytes,
/// decoded as its pieces arrive, or reduced to its header. Every piece is checked all the same.
public struct ChunkAssembler: Sendable {
    public enum ModelHandling: Sendable {
        /// Reassembled bytes, as for any other event.
        case keepBytes
        /// Decoded as the pieces arrive (``SafeTensorsStreamDecoder``): the model is held once,
        /// as values, never as reassembled bytes beside a decoded copy. That is what keeps the
        /// aggregator's memory at its running sum, the global model and the update arriving.
        case decode
        /// Only the bytes up to the end of the safetensors header are kept (the metadata a
        /// projection reads); the rest is hashed and dropped.
        case keepHeader
    }

    /// A transfer that cannot be completed, with the reason (for a rejection event).
    public struct Broken: Error, Sendable, CustomStringConvertible {
        public var envelope: EventEnvelope
        public var reason: String
        public var description: String { reason }
    }

    /// A whole event. When its model was decoded on the way, `model` holds it (or why the bytes
    /// are not a valid safetensors file) and `envelope.data` is empty.
    public struct Assembled: Sendable {
        public var envelope: EventEnvelope
        public var model: Result<DecodedModel, SafeTensorsError>?
    }

    fileprivate enum Body: Sendable {
        case bytes([UInt8])
        case model(SafeTensorsStreamDecoder)
        case header([UInt8])
    }

    private struct Transfer: Sendable {
        var first: EventEnvelope
        var body: Body
        var digest = SHA256()
        var next = 0
    }

    private var transfers: [String: Transfer] = [:]
    private var order: [String] = []
    /// Transfers kept at once; the oldest unfinished one is dropped beyond this (memory bound).
    public let capacity: Int
    public let models: ModelHandling

    public init(capacity: Int = 64, models: ModelHandling = .keepBytes) {
        self.capacity = capacity
        self.models = models
    }

    /// A sender's piece count is not trusted beyond this when sizing the buffer up front.
    static let largestReservation = 1 << 30

    /// Returns the whole event once its last piece arrived, nil while pieces are missing.
    public mutating func add(_ envelope: EventEnvelope) throws(Broken) -> Assembled? {
        guard let chunk = envelope.chunk else { return Assembled(envelope: envelope) }
        guard chunk.count >= 1, (0..<chunk.count).contains(chunk.index) else {
            throw Broken(envelope: envelope, reason: "transfer \(chunk.transferID): piece \(chunk.index) of \(chunk.count) is out of range")
        }
        // Taken out of the table while it grows, so the buffer has one owner and is appended to
        // in place (a copy left in the table would make every piece copy the whole buffer).
        let isNew = transfers[chunk.transferID] == nil
        var transfer = transfers.removeValue(forKey: chunk.transferID) ?? start(envelope, pieces: chunk.count)
        guard chunk.index == transfer.next, transfer.first.chunk?.count == chunk.count else {
            order.removeAll { $0 == chunk.transferID }
            throw Broken(envelope: envelope, reason: "transfer \(chunk.transferID): expected piece \(transfer.next) of \(chunk.count), got piece \(chunk.index); a piece is missing")
        }
        transfer.digest.update(data: envelope.data)
        transfer.body.append(envelope.data)
        transfer.next += 1
        guard transfer.next == chunk.count else {
            if isNew { remember(chunk.transferID) }
            transfers[chunk.transferID] = transfer
            return nil
        }
        order.removeAll { $0 == chunk.transferID }
        guard ModelDigest.hex(transfer.digest.finalize()) == chunk.sha256 else {
            throw Broken(envelope: envelope, reason: "transfer \(chunk.transferID): the reassembled bytes do not match their sha256; a piece is corrupt")
        }
        var whole = Assembled(envelope: transfer.first)
        whole.envelope.id = chunk.transferID
        whole.envelope.chunk = nil
        switch transfer.body {
        case let .bytes(data), let .header(data): whole.envelope.data = data
        case let .model(decoder):
            whole.envelope.data = []
            whole.model = Result { () throws(SafeTensorsError) in try decoder.finish() }
        }
        return whole
    }

    private func start(_ piece: EventEnvelope, pieces: Int) -> Transfer {
        // Pieces are equal but the last, so the first one bounds the whole.
        let (bound, overflow) = piece.data.count.multipliedReportingOverflow(by: pieces)
        let limit = overflow ? Int.max : bound
        var first = piece
        first.data = []  // its attributes are kept; its data goes into the body like every piece's
        if first.contentType == .safetensors {
            switch models {
            case .keepBytes: break
            case .decode: return Transfer(first: first, body: .model(SafeTensorsStreamDecoder(byteLimit: limit)))
            case .keepHeader: return Transfer(first: first, body: .header([]))
            }
        }
        var data: [UInt8] = []
        data.reserveCapacity(min(limit, Self.largestReservation))
        return Transfer(first: first, body: .bytes(data))
    }

    /// Whether some transfer has pieces still to come.
    public var hasUnfinished: Bool { !transfers.isEmpty }

    /// Takes over `other`'s unfinished transfers (a replay's, handed to the live consumer that
    /// reads on from where the replay stopped, so a transfer split by that point completes).
    public mutating func absorb(_ other: ChunkAssembler) {
        for id in other.order where transfers[id] == nil {
            guard let transfer = other.transfers[id] else { continue }
            transfers[id] = transfer
            remember(id)
        }
    }

    private mutating func remember(_ transferID: String) {
        order.append(transferID)
        if order.count > capacity { transfers[order.removeFirst()] = nil }
    }
}

fileprivate extension ChunkAssembler.Body {
    mutating func append(_ piece: [UInt8]) {
        switch self {
        case .bytes(var data):
            self = .bytes([])  // one owner while it grows
            data += piece
            self = .bytes(data)
        case .model(var decoder):
            self = .bytes([])
            decoder.append(piece)
            self = .model(decoder)
        case .header(var data):
            self = .bytes([])
            data += piece.prefix(max(0, SafeTensors.headerEnd(of: data + piece.prefix(8)) - data.count))
            self = .header(data)
        }
    }
}
