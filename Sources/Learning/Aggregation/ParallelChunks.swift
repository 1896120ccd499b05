import Dispatch
import Foundation

/// Splits element-wise work over the cores. Chunk edges are multiples of 16 floats (64 bytes,
/// one cache line for aligned buffers) so two threads never write the same line.
///
/// `DispatchQueue.concurrentPerform` blocks the caller until every part is done; aggregation
/// calls last milliseconds, so callers on the cooperative pool should still hop to their own
/// executor for big models.
package enum ParallelChunks {
    /// Threads to use: the machine's cores, at most 8 (memory-bound loops gain nothing beyond).
    package static let threadCount = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8))
    /// Below this many floats (1 MB) a second thread costs more to wake than it saves.
    static let minimumParallelCount = 1 << 18

    /// Parts to split `count` elements into: all threads when large enough, else one.
    package static func parts(for count: Int) -> Int {
        count >= minimumParallelCount ? threadCount : 1
    }

    /// Calls `body` on disjoint ranges covering `0..<count`, concurrently when `count` is large.
    static func forEach(count: Int, _ body: (Range<Int>) -> Void) {
        forEachPart(count: count, parts: parts(for: count)) { _, range in body(range) }
    }

    /// Calls `body(part, range)` for each of `parts` contiguous ranges of `0..<count`. The
    /// ranges depend only on `count` and `parts`, never on scheduling.
    package static func forEachPart(count: Int, parts: Int, alignment: Int = 16, _ body: (Int, Range<Int>) -> Void) {
        guard count > 0 else { return }
        guard parts > 1 else { return body(0, 0..<count) }
        withoutActuallyEscaping(body) { body in
            let work = UncheckedWork(body: body)
            DispatchQueue.concurrentPerform(iterations: parts) { part in
                work.body(part, range(part, of: parts, count: count, alignment: alignment))
            }
        }
    }

    /// The `part`-th of `parts` contiguous ranges of `0..<count`, inner edges rounded down to
    /// a multiple of `alignment` elements.
    static func range(_ part: Int, of parts: Int, count: Int, alignment: Int = 16) -> Range<Int> {
        func edge(_ index: Int) -> Int {
            index >= parts ? count : min(count, count * index / parts / alignment * alignment)
        }
        return edge(part)..<edge(part + 1)
    }
}

/// Carries a non-Sendable closure into `concurrentPerform`. Safe because `concurrentPerform`
/// returns only after every iteration has finished (the closure never outlives the call), and
/// every caller gives each part a disjoint range to write.
private struct UncheckedWork: @unchecked Sendable {
    let body: (Int, Range<Int>) -> Void
}
