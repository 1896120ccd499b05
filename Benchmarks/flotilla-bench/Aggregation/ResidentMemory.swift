import Learning
import Foundation

/// This process's resident memory, from Linux's /proc/self/status (nil elsewhere).
enum ResidentMemory {
    /// Resident bytes now (VmRSS).
    static func current() -> Int? { statusField("VmRSS") }

    /// Peak resident bytes (VmHWM) since the process started or since `resetPeak()`.
    static func peak() -> Int? { statusField("VmHWM") }

    /// Starts a new peak from the current size (writing 5 to /proc/self/clear_refs); false when
    /// the kernel refuses, in which case `peak()` stays the process's lifetime peak.
    static func resetPeak() -> Bool {
        #if os(Linux)
        let descriptor = open("/proc/self/clear_refs", O_WRONLY)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        return write(descriptor, "5", 1) == 1
        #else
        return false
        #endif
    }

    private static func statusField(_ name: String) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix(name + ":") {
            // "VmRSS:\t  123456 kB"
            let fields = line.split { $0 == " " || $0 == "\t" }
            guard fields.count >= 2, let kilobytes = Int(fields[1]) else { return nil }
            return kilobytes * 1024
        }
        return nil
    }
}
