import Foundation

/// Cluster indices in name order (`String <`), computed quickly for the usual case.
///
/// Already sorted input (a registry that keeps its clusters sorted) costs one pass. Otherwise,
/// when every name is ASCII (Kubernetes names always are), the names are sorted by an integer
/// key: the 8 bytes that follow the prefix all names share, big-endian, zero-padded. For ASCII,
/// byte order is `String` order, so a smaller key means a smaller name; equal keys fall back to
/// comparing the names. This avoids ~130,000 `String` comparisons for 10,000 names.
enum NameOrder {
    static func indices(of names: [String]) -> [Int] {
        if zip(names, names.dropFirst()).allSatisfy({ $0 <= $1 }) { return Array(names.indices) }
        guard let prefix = sharedASCIIPrefixLength(names) else {
            return names.indices.sorted { names[$0] < names[$1] }
        }
        var keyed = names.indices.map { index in (key: key(names[index], skipping: prefix), index: index) }
        keyed.sort { lhs, rhs in
            lhs.key != rhs.key ? lhs.key < rhs.key : names[lhs.index] < names[rhs.index]
        }
        return keyed.map(\.index)
    }

    /// The number of leading bytes all names share, or nil if some name is not ASCII.
    private static func sharedASCIIPrefixLength(_ names: [String]) -> Int? {
        guard let first = names.first else { return 0 }
        let reference = Array(first.utf8)
        var shared = reference.count
        for name in names {
            var length = 0
            var matching = true
            for byte in name.utf8 {
                if byte >= 0x80 { return nil }
                if matching, length < shared, reference[length] == byte {
                    length += 1
                } else {
                    matching = false
                }
            }
            shared = min(shared, length)
        }
        return shared
    }

    private static func key(_ name: String, skipping prefix: Int) -> UInt64 {
        var key: UInt64 = 0
        var taken = 0
        for byte in name.utf8.dropFirst(prefix).prefix(8) {
            key = key << 8 | UInt64(byte)
            taken += 1
        }
        return key << (8 * UInt64(8 - taken))
    }
}
