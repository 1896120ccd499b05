import Foundation
import Shared

/// One selector requirement (from `matchLabels` or `matchExpressions`) compiled against a
/// `FleetIndex`, with Kubernetes label-selector semantics: `NotIn` and `DoesNotExist` match a
/// missing key. Only integers, so the filter loop reads it without reference counting.
struct RequirementMatcher: Sendable {
    enum Source: String, Sendable {
        case label
        case claim
    }

    /// The tagged key id (`FleetIndex.absentKey` when no cluster holds the key: never present).
    let key: UInt32
    let op: SelectorOperator
    /// Where the listed values' ids sit, sorted, in the filter's value table. A value no cluster
    /// holds has no id and can match nothing, so it is left out.
    let values: Range<Int32>

    init(source: Source, key: String, op: SelectorOperator, values: [String], fleet: FleetIndex, valueTable: inout [Int32]) {
        self.key = source == .label ? fleet.labelKey(key) : fleet.claimKey(key)
        self.op = op
        let ids = Set(values.compactMap { fleet.valueID($0) }).sorted()
        let start = Int32(valueTable.count)
        valueTable += ids
        self.values = start..<Int32(valueTable.count)
    }

    @inline(__always)
    func matches(_ attributes: AttributeView, valueTable: UnsafeBufferPointer<Int32>) -> Bool {
        let value = attributes.value(of: key)
        switch op {
        case .in:
            guard let value else { return false }
            return contains(value, valueTable)
        case .notIn:
            guard let value else { return true }
            return !contains(value, valueTable)
        case .exists:
            return value != nil
        case .doesNotExist:
            return value == nil
        }
    }

    /// Linear search for the usual handful of values, binary search for long lists.
    @inline(__always)
    private func contains(_ value: Int32, _ table: UnsafeBufferPointer<Int32>) -> Bool {
        var low = Int(values.lowerBound)
        var high = Int(values.upperBound)
        while high - low > 8 {
            let middle = (low + high) / 2
            if table[middle] < value { low = middle + 1 } else { high = middle + 1 }
        }
        for index in low..<high where table[index] == value { return true }
        return false
    }

    /// The explanation of a cluster this requirement rejects, prepared once per decision.
    static func failureMessage(source: Source, key: String, op: SelectorOperator, values: [String], location: String) -> String {
        let list = "[\(values.joined(separator: ", "))]"
        let what = "\(source.rawValue) \"\(key)\""
        let problem = switch op {
        case .in: "\(what) is not in \(list)"
        case .notIn: "\(what) is in \(list)"
        case .exists: "\(what) does not exist"
        case .doesNotExist: "\(what) exists"
        }
        return "\(location): \(problem)"
    }
}
