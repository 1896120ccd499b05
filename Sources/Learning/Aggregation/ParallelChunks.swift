import Dispatch
import Foundation

/// Splits element-wise work over the cores. Chunk edges are multiples of 16 floats (64 bytes,
/// one cache line for aligned buffers) so two threads never write the same line.
enum ParallelChunks {
    /// Threads to use: the machine's cores, at most 8 (memory-bound loops gain nothing beyond).
    static let threadCount = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8))
    /// Below this many floats (1 MB) a second thread costs more to wake than it saves.
    static let minimumParallelCount = 1 << 18

    /// Calls `body` on disjoint ranges covering `0..<count`, concurrently when `count` is large.
    /// The ranges depend only on `count` and `parts`, never on scheduling.
    static func forEach(count: Int, parts: Int = threadCount, minimum: Int = minimumParallelCount, _ body: (Range<Int>) -> Void) {
        let parts = count >= minimum ? max(1, parts) : 1
        guard parts > 1 else {
            if count > 0 { body(0..<count) }
            return
        }
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            body(range(part, of: parts, count: count))
        }
    }

    /// The `part`-th of `parts` contiguous ranges of `0..<count`, edges rounded to 16 elements.
    static func range(_ part: Int, of parts: Int, count: Int) -> Range<Int> {
        func edge(_ index: Int) -> Int {
            index == parts ? count : min(count, (count / parts * index) & ~15)
        }
        return edge(part)..<edge(part + 1)
    }
}
