import Foundation

/// Large float buffers backed by transparent huge pages where the kernel offers them
/// (`madvise` mode). A fresh 4 MB buffer otherwise takes a thousand 4 KB page faults on first
/// touch, which on a small VM costs more than the copy that fills it.
enum HugePageBuffer {
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

    /// Frees a buffer from `allocate(floats:)`.
    static func deallocate(_ pointer: UnsafeMutablePointer<Float>) {
        free(pointer)
    }
}
