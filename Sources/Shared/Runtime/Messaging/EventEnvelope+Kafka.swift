import Foundation

/// The CloudEvents Kafka protocol binding, binary content mode: attributes in `ce_*` headers,
/// data as the message value, the subject as the message key.
extension EventEnvelope {
    enum Header {
        static let specVersion = "ce_specversion"
        static let id = "ce_id"
        static let source = "ce_source"
        static let type = "ce_type"
        static let time = "ce_time"
        static let subject = "ce_subject"
        static let schemaVersion = "ce_schemaversion"
        static let contentType = "content-type"
        static let transferID = "ce_transferid"
        static let chunkIndex = "ce_chunkindex"
        static let chunkCount = "ce_chunkcount"
        static let dataSHA256 = "ce_datasha256"
        static let signerCertificate = "ce_signercertificate"
        static let signature = "ce_signature"
    }

    public func record(prefix: String) -> KafkaRecord {
        var headers: [(String, String)] = [
            (Header.specVersion, Self.specVersion),
            (Header.id, id),
            (Header.source, source),
            (Header.type, type.rawValue),
            (Header.time, Self.formatTime(time)),
            (Header.subject, subject),
            (Header.schemaVersion, String(schemaVersion)),
            (Header.contentType, contentType.rawValue),
        ]
        if let chunk {
            headers += [
                (Header.transferID, chunk.transferID), (Header.chunkIndex, String(chunk.index)),
                (Header.chunkCount, String(chunk.count)), (Header.dataSHA256, chunk.sha256),
            ]
        }
        if let signature {
            headers += [(Header.signerCertificate, signature.certificateSerial), (Header.signature, Data(signature.value).base64EncodedString())]
        }
        return KafkaRecord(
            topic: topic.name(prefix: prefix),
            key: Array(subject.utf8),
            value: data,
            headers: headers.map { KafkaHeader(key: $0.0, value: Array($0.1.utf8)) }
        )
    }

    /// Reads an envelope back from a consumed message, naming the first attribute that is
    /// missing or malformed.
    public init(message: KafkaConsumerMessage) throws(EventDecodingError) {
        var values: [String: String] = [:]
        for header in message.headers {
            values[header.key] = String(decoding: header.value, as: UTF8.self)
        }
        func required(_ name: String) throws(EventDecodingError) -> String {
            guard let value = values[name], !value.isEmpty else {
                throw EventDecodingError("missing header \(name)")
            }
            return value
        }
        let spec = try required(Header.specVersion)
        guard spec == Self.specVersion else {
            throw EventDecodingError("unsupported \(Header.specVersion) '\(spec)', expected \(Self.specVersion)")
        }
        let typeName = try required(Header.type)
        guard let type = EventType(rawValue: typeName) else {
            throw EventDecodingError("unknown event type '\(typeName)' in \(Header.type)")
        }
        let timeText = try required(Header.time)
        guard let time = Self.parseTime(timeText) else {
            throw EventDecodingError("\(Header.time) '\(timeText)' is not an RFC 3339 time")
        }
        let versionText = values[Header.schemaVersion] ?? "1"
        guard let version = Int(versionText), version >= 1 else {
            throw EventDecodingError("\(Header.schemaVersion) '\(versionText)' is not a positive integer")
        }
        let contentTypeText = values[Header.contentType] ?? ContentType.json.rawValue
        guard let contentType = ContentType(rawValue: contentTypeText) else {
            throw EventDecodingError("unsupported content-type '\(contentTypeText)'")
        }
        var chunk: EventChunk?
        if let transferID = values[Header.transferID] {
            guard let index = values[Header.chunkIndex].flatMap(Int.init), let count = values[Header.chunkCount].flatMap(Int.init),
                  let digest = values[Header.dataSHA256], !digest.isEmpty else {
                throw EventDecodingError("piece of transfer \(transferID) lacks a valid \(Header.chunkIndex), \(Header.chunkCount) or \(Header.dataSHA256)")
            }
            chunk = EventChunk(transferID: transferID, index: index, count: count, sha256: digest)
        }
        var signature: EventSignature?
        if values[Header.signerCertificate] != nil || values[Header.signature] != nil {
            guard let serial = values[Header.signerCertificate], !serial.isEmpty, serial.count <= 64,
                  serial.allSatisfy({ $0.isHexDigit && !$0.isUppercase }),
                  let text = values[Header.signature], text.count <= 256, let value = Data(base64Encoded: text), !value.isEmpty else {
                throw EventDecodingError("\(Header.signerCertificate) and \(Header.signature) must both be present: a lowercase hex serial and a base64 signature")
            }
            signature = EventSignature(certificateSerial: serial, value: Array(value))
        }
        self.init(
            id: try required(Header.id), type: type, schemaVersion: version,
            source: try required(Header.source), time: time, subject: try required(Header.subject),
            contentType: contentType, data: message.value, chunk: chunk, signature: signature
        )
    }
}
