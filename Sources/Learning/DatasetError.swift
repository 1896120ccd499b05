/// Why a labelled image set could not be built, read or written.
public enum DatasetError: Error, Sendable, Hashable, CustomStringConvertible {
    case unreadableFile(path: String, reason: String)
    case unwritableFile(path: String, reason: String)
    case invalidFile(path: String, IDXError)
    case countMismatch(images: Int, labels: Int)
    case pixelCountMismatch(expected: Int, actual: Int)
    case invalidArgument(String)

    public var description: String {
        switch self {
        case let .unreadableFile(path, reason): "cannot read \(path): \(reason)"
        case let .unwritableFile(path, reason): "cannot write \(path): \(reason)"
        case let .invalidFile(path, error): "\(path): \(error)"
        case let .countMismatch(images, labels): "\(images) images but \(labels) labels"
        case let .pixelCountMismatch(expected, actual): "expected \(expected) pixel values but got \(actual)"
        case let .invalidArgument(message): message
        }
    }
}
