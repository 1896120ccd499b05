import Foundation
@testable import Placement
import Shared

/// One selector requirement (from `matchLabels` or `matchExpressions`) prepared for matching,
/// with Kubernetes label-selector semantics: `NotIn` and `DoesNotExist` match a missing key.
struct ReferenceCompiledRequirement: Sendable {
    enum Source: String, Sendable {
        case label
        case claim
    }

    let key: String
    let op: SelectorOperator
    private let values: ValueSet
    /// Prepared once so a failing cluster costs no string building.
    let failureMessage: String

    init(source: Source, key: String, op: SelectorOperator, values: [String], location: String) {
        self.key = key
        self.op = op
        self.values = ValueSet(values)
        let list = "[\(values.joined(separator: ", "))]"
        let what = "\(source.rawValue) \"\(key)\""
        let problem = switch op {
        case .in: "\(what) is not in \(list)"
        case .notIn: "\(what) is in \(list)"
        case .exists: "\(what) does not exist"
        case .doesNotExist: "\(what) exists"
        }
        failureMessage = "\(location): \(problem)"
    }

    @inline(__always)
    func matches(_ attributes: [String: String]) -> Bool {
        let value = attributes.referenceScanLookup(key)
        switch op {
        case .in:
            guard let value else { return false }
            return values.contains(value)
        case .notIn:
            guard let value else { return true }
            return !values.contains(value)
        case .exists:
            return value != nil
        case .doesNotExist:
            return value == nil
        }
    }
}

/// A value list: linear search for the usual handful of values, hashing for long lists.
private enum ValueSet: Sendable {
    case few([String])
    case many(Set<String>)

    init(_ values: [String]) {
        self = values.count <= 8 ? .few(values) : .many(Set(values))
    }

    func contains(_ value: String) -> Bool {
        switch self {
        case .few(let values): values.contains(value)
        case .many(let values): values.contains(value)
        }
    }
}
