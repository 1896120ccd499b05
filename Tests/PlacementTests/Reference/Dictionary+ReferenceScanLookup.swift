import Foundation

extension Dictionary where Key == String {
    /// The largest dictionary searched by scanning instead of hashing.
    static var scanLimit: Int { 8 }

    /// `self[key]`, but small dictionaries (cluster labels, claims, scores usually hold a handful
    /// of entries) are scanned: over 10,000 clusters whose dictionaries are cold in the cache, a
    /// scan that compares string lengths first measured about twice as fast as hashing the key.
    @inline(__always)
    func referenceScanLookup(_ key: String) -> Value? {
        guard count <= Self.scanLimit else { return self[key] }
        for (candidate, value) in self where candidate == key {
            return value
        }
        return nil
    }
}
