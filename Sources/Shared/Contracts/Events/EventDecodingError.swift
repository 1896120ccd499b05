/// Why a message could not be turned into an event. The text names what is wrong; it is
/// the reason recorded on the dead-letter topic.
public struct EventDecodingError: Error, Sendable, Hashable, CustomStringConvertible {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}
