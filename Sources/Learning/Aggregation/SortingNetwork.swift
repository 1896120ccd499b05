/// A comparator network that sorts `count` values, used lane-wise on SIMD vectors so 16
/// coordinates are sorted at once with branch-free min/max and no data-dependent control flow.
///
/// Batcher's odd–even merge sort for the next power of two, with two prunings: comparators
/// reaching past `count` are dropped (the missing inputs would be +∞, which never move), and,
/// walking backwards from the outputs, comparators whose results no wanted output depends on
/// are dropped too (a median needs far fewer than a full sort).
struct SortingNetwork: Sendable {
    /// Comparator pairs (low, high): after each, the smaller value is at `low`.
    let pairs: [(low: Int, high: Int)]

    init(count: Int, wanted: Range<Int>) {
        var padded = 1
        while padded < count { padded *= 2 }
        var all: [(low: Int, high: Int)] = []
        var p = 1
        while p < padded {
            var k = p
            while k >= 1 {
                var j = k % p
                while j + k < padded {
                    for i in 0..<min(k, padded - j - k) where (i + j) / (2 * p) == (i + j + k) / (2 * p) {
                        if i + j + k < count { all.append((i + j, i + j + k)) }
                    }
                    j += 2 * k
                }
                k /= 2
            }
            p *= 2
        }
        var needed = [Bool](repeating: false, count: count)
        for index in wanted where index < count { needed[index] = true }
        var kept: [(low: Int, high: Int)] = []
        for pair in all.reversed() where needed[pair.low] || needed[pair.high] {
            kept.append(pair)
            needed[pair.low] = true
            needed[pair.high] = true
        }
        pairs = kept.reversed()
    }
}
