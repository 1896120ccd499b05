import Foundation

/// The operator of a label or claim selector requirement (Kubernetes `LabelSelectorOperator`).
public enum SelectorOperator: String, ClosedStringEnum {
    case `in` = "In"
    case notIn = "NotIn"
    case exists = "Exists"
    case doesNotExist = "DoesNotExist"

    public init(from decoder: any Decoder) throws {
        self = try Self.decodeStrictly(from: decoder)
    }
}

/// One `matchExpressions` entry: `{key, operator, values}`.
public struct SelectorRequirement: Codable, Sendable, Hashable {
    public var key: String
    public var `operator`: SelectorOperator
    /// Required and non-empty for `In`/`NotIn`; must be empty for `Exists`/`DoesNotExist`.
    public var values: [String]?

    public init(key: String, operator: SelectorOperator, values: [String]? = nil) {
        self.key = key
        self.operator = `operator`
        self.values = values
    }
}
