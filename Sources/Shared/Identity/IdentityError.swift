/// Why the hub's CA or a signature check refused something; the text names what is wrong and
/// never holds a secret.
public struct IdentityError: Error, Sendable, Hashable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
