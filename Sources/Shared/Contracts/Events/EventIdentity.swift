import Crypto

/// Event ids derived from what an event is, not drawn at random: a service that rebuilds its
/// state after a crash and publishes a decision again publishes it under the same id, and
/// every consumer that deduplicates by id (the status API does) sees it once.
public enum EventIdentity {
    /// A UUID-shaped id from SHA-256 of `namespace` and `name` (RFC 9562 version 8 layout).
    /// Use a namespace unique to the entity's lifetime, e.g. the id of the event that created it.
    public static func derived(namespace: String, name: String) -> String {
        var bytes = Array(SHA256.hash(data: Array("\(namespace)\n\(name)".utf8)).prefix(16))
        bytes[6] = (bytes[6] & 0x0f) | 0x80
        bytes[8] = (bytes[8] & 0x3f) | 0x80
        let hex = bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
        let groups = [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { range in
            String(hex[hex.index(hex.startIndex, offsetBy: range.lowerBound)..<hex.index(hex.startIndex, offsetBy: range.upperBound)])
        }
        return groups.joined(separator: "-")
    }
}
