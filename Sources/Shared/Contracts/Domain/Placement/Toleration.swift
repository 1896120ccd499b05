import Foundation

/// How a toleration compares its value with a taint's value.
public enum TolerationOperator: String, ClosedStringEnum {
    case equal = "Equal"
    case exists = "Exists"

    public init(from decoder: any Decoder) throws {
        self = try Self.decodeStrictly(from: decoder)
    }
}

/// OCM `Toleration`. An empty `key` with operator `Exists` tolerates every taint; an empty
/// `effect` matches every effect; `tolerationSeconds` (counted from the taint's `timeAdded`)
/// bounds how long a matching taint is tolerated.
public struct Toleration: Codable, Sendable, Hashable {
    public var key: String?
    /// Defaults to `Equal` when unset.
    public var `operator`: TolerationOperator?
    public var value: String?
    public var effect: TaintEffect?
    public var tolerationSeconds: Int64?

    public init(
        key: String? = nil,
        operator: TolerationOperator? = nil,
        value: String? = nil,
        effect: TaintEffect? = nil,
        tolerationSeconds: Int64? = nil
    ) {
        self.key = key
        self.operator = `operator`
        self.value = value
        self.effect = effect
        self.tolerationSeconds = tolerationSeconds
    }
}
