import Foundation

/// Large float buffers backed by transparent huge pages where the kernel offers them
/// (`madvise` mode). A fresh 4 MB buffer otherwise takes a thousand 4 KB page faults on first
/// touch, which on a small VM costs more than the copy that fills it.
package enum HugePageBuffer {
    static let hugePage = 2 << 20

    static func allocate(floats count: Int) -> UnsafeMutablePointer<Float> {
        let bytes = max(1, count) * MemoryLayout<Float>.stride
        let rounded = bytes >= hugePage ? (bytes + hugePage - 1) / hugePage * hugePage : bytes
        var raw: UnsafeMutableRawPointer?
        guard posix_memalign(&raw, bytes >= hugePage ? hugePage : 64, rounded) == 0, let raw else {
            fatalError("out of memory allocating \(bytes) bytes for held updates")
        }
        #if os(Linux)
        _ = madvise(raw, rounded, MADV_HUGEPAGE)  // advice only: failure just means small pages
        #endif
        return raw.bindMemory(to: Float.self, capacity: count)
    }

    /// Asks for huge pages under the whole 2 MB pages inside `bytes` at `start`, memory not yet
    /// touched (a fresh large array): first touch then costs one fault per 2 MB, not per 4 KB.
    package static func advise(_ start: UnsafeMutableRawPointer, bytes: Int) {
        #if os(Linux)
        let first = (Int(bitPattern: start) + hugePage - 1) / hugePage * hugePage
        let end = (Int(bitPattern: start) + bytes) / hugePage * hugePage
        guard end > first, let aligned = UnsafeMutableRawPointer(bitPattern: first) else { return }
        _ = madvise(aligned, end - first, MADV_HUGEPAGE)  // advice only
        #endif
    }

    /// Frees a buffer from `allocate(floats:)`.
    static func deallocate(_ pointer: UnsafeMutablePointer<Float>) {
        free(pointer)
    }
}
