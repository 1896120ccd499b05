/// Puts chunked events back together. Pieces of one transfer share a key, so they arrive in
/// order on one partition: a gap means a piece was lost, and the transfer is refused.
public struct ChunkAssembler: Sendable {
    /// A transfer that cannot be completed, with the reason (for a rejection event).
    public struct Broken: Error, Sendable, CustomStringConvertible {
        public var envelope: EventEnvelope
        public var reason: String
        public var description: String { reason }
    }

    private struct Transfer: Sendable {
        var first: EventEnvelope
        var data: [UInt8]
        var next: Int
    }

    private var transfers: [String: Transfer] = [:]
    private var order: [String] = []
    /// Transfers kept at once; the oldest unfinished one is dropped beyond this (memory bound).
    public let capacity: Int

    public init(capacity: Int = 64) { self.capacity = capacity }

    /// A sender's piece count is not trusted beyond this when sizing the buffer up front.
    static let largestReservation = 1 << 30

    /// Returns the whole event once its last piece arrived, nil while pieces are missing.
    public mutating func add(_ envelope: EventEnvelope) throws(Broken) -> EventEnvelope? {
        guard let chunk = envelope.chunk else { return envelope }
        guard chunk.count >= 1, (0..<chunk.count).contains(chunk.index) else {
            throw Broken(envelope: envelope, reason: "transfer \(chunk.transferID): piece \(chunk.index) of \(chunk.count) is out of range")
        }
        // Taken out of the table while it grows, so the buffer has one owner and is appended to
        // in place (a copy left in the table would make every piece copy the whole buffer).
        let isNew = transfers[chunk.transferID] == nil
        var transfer = transfers.removeValue(forKey: chunk.transferID) ?? Transfer(first: envelope, data: [], next: 0)
        guard chunk.index == transfer.next, transfer.first.chunk?.count == chunk.count else {
            order.removeAll { $0 == chunk.transferID }
            throw Broken(envelope: envelope, reason: "transfer \(chunk.transferID): expected piece \(transfer.next) of \(chunk.count), got piece \(chunk.index); a piece is missing")
        }
        // Pieces are equal but the last, so the first one sizes the whole buffer at once.
        let (expected, overflow) = envelope.data.count.multipliedReportingOverflow(by: chunk.count)
        if isNew, !overflow { transfer.data.reserveCapacity(min(expected, Self.largestReservation)) }
        transfer.data += envelope.data
        transfer.next += 1
        guard transfer.next == chunk.count else {
            if isNew { remember(chunk.transferID) }
            transfers[chunk.transferID] = transfer
            return nil
        }
        order.removeAll { $0 == chunk.transferID }
        guard ModelDigest.sha256(transfer.data) == chunk.sha256 else {
            throw Broken(envelope: envelope, reason: "transfer \(chunk.transferID): the reassembled \(transfer.data.count) bytes do not match their sha256; a piece is corrupt")
        }
        var whole = transfer.first
        whole.id = chunk.transferID
        whole.data = transfer.data
        whole.chunk = nil
        return whole
    }

    private mutating func remember(_ transferID: String) {
        order.append(transferID)
        if order.count > capacity { transfers[order.removeFirst()] = nil }
    }
}
