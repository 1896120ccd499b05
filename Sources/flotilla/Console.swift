import Foundation

/// Progress output that reaches a log file or pipe at once (stdio buffers whole blocks when
/// stdout is not a terminal, and an interrupted run would lose them).
enum Console {
    static func line(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }
}
