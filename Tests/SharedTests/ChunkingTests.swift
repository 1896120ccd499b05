import Foundation
import Learning
import Testing
@testable import Shared

/// Models larger than one Kafka message travel in pieces and come back whole, or not at all.
@Suite struct ChunkingTests {
    static let update = ModelUpdateSubmitted(
        jobID: "job-a", round: 1, cluster: "c1", examples: 10, loss: 0.5, baseModelSHA256: "base",
        parameters: ModelParameters(tensors: [Tensor(name: "w", shape: [100], values: (0..<100).map(Float.init))])
    )

    static func wire(_ envelope: EventEnvelope) throws -> EventEnvelope {
        let record = envelope.record(prefix: "")
        return try EventEnvelope(message: KafkaConsumerMessage(topic: record.topic, partition: 0, offset: 0, key: record.key, value: record.value, headers: record.headers, timestamp: nil))
    }

    @Test func smallEventsStayWholeAndLargeOnesSplitAndReassemble() throws {
        let envelope = Self.update.envelope(source: "t")
        #expect(envelope.chunked(maximumBytes: 1 << 20) == [envelope])
        let pieces = envelope.chunked(maximumBytes: 100)
        #expect(pieces.count == (envelope.data.count + 99) / 100)
        #expect(Set(pieces.map(\.id)).count == pieces.count && pieces.allSatisfy { $0.chunk?.transferID == envelope.id })
        var assembler = ChunkAssembler()
        var whole: EventEnvelope?
        for piece in pieces {
            #expect(whole == nil)
            whole = try assembler.add(try Self.wire(piece))?.envelope  // through the Kafka headers and back
        }
        let back = try #require(whole)
        #expect(back.id == envelope.id && back.data == envelope.data && back.chunk == nil)
        #expect(try ModelUpdateSubmitted(from: back) == Self.update)
    }

    /// A replay that stops in the middle of a transfer hands its pieces to the live consumer,
    /// which completes the transfer from the next piece on (without it: "a piece is missing").
    @Test func aTransferSplitBetweenReplayAndLiveCompletes() throws {
        let envelope = Self.update.envelope(source: "t")
        let pieces = try envelope.chunked(maximumBytes: 37).map(Self.wire)
        var replay = ChunkAssembler(models: .decode)
        for piece in pieces.prefix(5) { #expect(try replay.add(piece) == nil) }
        #expect(replay.hasUnfinished)

        var cold = ChunkAssembler(models: .decode)
        #expect(throws: ChunkAssembler.Broken.self) { try cold.add(pieces[5]) }

        var live = ChunkAssembler(models: .decode)
        live.absorb(replay)
        var whole: ChunkAssembler.Assembled?
        for piece in pieces.dropFirst(5) { whole = try live.add(piece) }
        let model = try #require(try whole?.model?.get())
        guard case .finite(let finite) = model.values else { Issue.record("not finite"); return }
        #expect(finite.parameters == Self.update.parameters)
        #expect(!live.hasUnfinished)
    }

    /// Decoding on the way: the model comes out of the pieces themselves (no bytes are kept),
    /// with the finiteness proof, equal to decoding the reassembled bytes; however the pieces
    /// cut the file.
    @Test(arguments: [7, 100, 401])
    func modelsAreDecodedAsTheirPiecesArrive(pieceSize: Int) throws {
        let envelope = Self.update.envelope(source: "t")
        var assembler = ChunkAssembler(models: .decode)
        var whole: ChunkAssembler.Assembled?
        for piece in envelope.chunked(maximumBytes: pieceSize) {
            #expect(whole == nil)
            whole = try assembler.add(try Self.wire(piece))
        }
        let assembled = try #require(whole)
        #expect(assembled.envelope.id == envelope.id && assembled.envelope.data.isEmpty && assembled.envelope.chunk == nil)
        let decoded = try #require(try assembled.model?.get())
        let event = ConsumedEvent(envelope: assembled.envelope, message: KafkaConsumerMessage(topic: "t", partition: 0, offset: 0, key: nil, value: [], headers: [], timestamp: nil), topic: .updates, decodedModel: .success(decoded))
        let update = try event.model(ModelUpdateSubmitted.self)
        #expect(update == Self.update && update.finiteParameters != nil)
    }

    @Test func aModelThatIsNotValidSafetensorsFailsWithTheDecodersReason() throws {
        var envelope = Self.update.envelope(source: "t")
        envelope.data.removeLast(4)  // the last value is cut off: the file no longer covers its tensors
        var assembler = ChunkAssembler(models: .decode)
        var whole: ChunkAssembler.Assembled?
        for piece in envelope.chunked(maximumBytes: 100) { whole = try assembler.add(piece) }
        let assembled = try #require(whole)
        guard case let .failure(error) = assembled.model else {
            Issue.record("a truncated model decoded")
            return
        }
        let expected = try #require(throws: SafeTensorsError.self) { try SafeTensors.decodeFinite(envelope.data) }
        #expect(error == expected)
        let event = ConsumedEvent(envelope: assembled.envelope, message: KafkaConsumerMessage(topic: "t", partition: 0, offset: 0, key: nil, value: [], headers: [], timestamp: nil), topic: .updates, decodedModel: assembled.model)
        let refused = try #require(throws: EventDecodingError.self) { try event.model(ModelUpdateSubmitted.self) }
        #expect(refused.reason.contains("not a valid safetensors file") && refused.reason.contains("outside"))
    }

    /// Keeping only the header (the status API): the metadata reads as from the whole file, the
    /// tensor data is not kept, and every piece is still checked.
    @Test(arguments: [3, 100, 401])
    func onlyTheHeaderIsKeptAndEveryPieceIsStillChecked(pieceSize: Int) throws {
        let envelope = Self.update.envelope(source: "t")
        var assembler = ChunkAssembler(models: .keepHeader)
        var whole: ChunkAssembler.Assembled?
        for piece in envelope.chunked(maximumBytes: pieceSize) { whole = try assembler.add(try Self.wire(piece)) }
        let kept = try #require(whole).envelope.data
        #expect(kept.count == SafeTensors.headerEnd(of: envelope.data) && kept.count < envelope.data.count)
        #expect(try SafeTensors.metadata(of: kept) == SafeTensors.metadata(of: envelope.data))

        var pieces = envelope.chunked(maximumBytes: pieceSize)
        pieces[pieces.count - 1].data[0] ^= 0xFF  // tensor data the header keeper does not keep
        var checking = ChunkAssembler(models: .keepHeader)
        var caught: ChunkAssembler.Broken?
        for piece in pieces {
            do { _ = try checking.add(piece) } catch { caught = error }
        }
        #expect(caught?.reason.contains("do not match their sha256") == true)
    }

    @Test func anAbsurdPieceCountIsNotTrustedWhenSizingTheBuffer() throws {
        var piece = Self.update.envelope(source: "t").chunked(maximumBytes: 100)[0]
        piece.chunk?.count = Int.max / 2  // would overflow, or reserve exabytes, if believed
        var assembler = ChunkAssembler()
        #expect(try assembler.add(piece) == nil)
    }

    @Test func aMissingPieceRejectsTheTransfer() throws {
        let pieces = Self.update.envelope(source: "t").chunked(maximumBytes: 100)
        var assembler = ChunkAssembler()
        _ = try assembler.add(pieces[0])
        let broken = try #require(throws: ChunkAssembler.Broken.self) { try assembler.add(pieces[2]) }
        #expect(broken.reason.contains("expected piece 1") && broken.reason.contains("missing"))
    }

    @Test func aCorruptPieceRejectsTheTransfer() throws {
        var pieces = Self.update.envelope(source: "t").chunked(maximumBytes: 100)
        pieces[1].data[5] ^= 0xFF
        var assembler = ChunkAssembler()
        var caught: ChunkAssembler.Broken?
        for piece in pieces {
            do { _ = try assembler.add(piece) } catch { caught = error }
        }
        #expect(caught?.reason.contains("do not match their sha256") == true)
    }

    @Test func aPieceWithoutItsChunkHeadersIsNamed() throws {
        var record = Self.update.envelope(source: "t").chunked(maximumBytes: 100)[0].record(prefix: "")
        record.headers.removeAll { $0.key == "ce_datasha256" }
        let error = try #require(throws: EventDecodingError.self) {
            try EventEnvelope(message: KafkaConsumerMessage(topic: record.topic, partition: 0, offset: 0, key: record.key, value: record.value, headers: record.headers, timestamp: nil))
        }
        #expect(error.reason.contains("ce_datasha256"))
    }
}
