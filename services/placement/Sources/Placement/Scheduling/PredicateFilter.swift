import Foundation
import Shared

/// OCM's `Predicate` filter: `predicates` are OR-ed; inside one `requiredClusterSelector` every
/// label requirement and every claim requirement must hold. No predicates select everything;
/// an empty selector matches every cluster.
///
/// Assumes the spec passed `PlacementSpec.validate(at:)`: an `In` with no values matches nothing.
struct PredicateFilter: ClusterFilter {
    static let name = ClusterExplanation.predicatesFilter

    private let predicates: [CompiledPredicate]
    private let reasons: FailureReasons
    /// Every requirement's values, as sorted id runs (see `RequirementMatcher.values`).
    private let valueTable: [Int32]

    init(_ predicates: [ClusterPredicate]?, fleet: FleetIndex) {
        var valueTable: [Int32] = []
        let compiled = (predicates ?? []).enumerated().map { index, predicate in
            CompiledPredicate(
                predicate.requiredClusterSelector, location: "predicates[\(index)].requiredClusterSelector",
                fleet: fleet, valueTable: &valueTable
            )
        }
        self.predicates = compiled
        self.reasons = FailureReasons(compiled)
        self.valueTable = valueTable
    }

    func evaluate(_ attributes: AttributeView) -> FilterOutcome {
        guard !predicates.isEmpty else { return .pass(until: nil) }
        return valueTable.withUnsafeBufferPointer { valueTable in
            // Each predicate is evaluated once; the failing requirement indices pick the reason.
            var key = 0
            for index in predicates.indices {
                guard let failure = predicates[index].firstFailure(attributes, valueTable: valueTable) else {
                    return .pass(until: nil)
                }
                key += failure * reasons.strides[index]
            }
            return .filtered(reason: reasons.reason(forKey: key))
        }
    }

    /// Every "no predicate matched" message, prepared once per spec: a cluster that fails is
    /// described by the first failing requirement of each predicate, so the messages are indexed
    /// by those indices in mixed radix. Rejecting thousands of clusters then costs no string work.
    private struct FailureReasons: Sendable {
        let strides: [Int]
        private let table: [String]
        private let predicates: [CompiledPredicate]
        private static let maxPrepared = 1024

        init(_ predicates: [CompiledPredicate]) {
            self.predicates = predicates
            var strides: [Int] = []
            var combinations = 1
            for predicate in predicates {
                strides.append(combinations)
                let (product, overflow) = combinations.multipliedReportingOverflow(by: max(1, predicate.requirementCount))
                combinations = overflow ? Int.max : product
            }
            self.strides = strides
            table = combinations <= Self.maxPrepared
                ? (0..<combinations).map { Self.describe(key: $0, predicates: predicates, strides: strides) }
                : []
        }

        func reason(forKey key: Int) -> String {
            key < table.count ? table[key] : Self.describe(key: key, predicates: predicates, strides: strides)
        }

        private static func describe(key: Int, predicates: [CompiledPredicate], strides: [Int]) -> String {
            // A predicate without requirements matches everything, so it never contributes a failure.
            let messages = predicates.indices.compactMap { index in
                let radix = max(1, predicates[index].requirementCount)
                return predicates[index].failureMessage(at: (key / strides[index]) % radix)
            }
            return messages.count == 1 ? messages[0] : "matches no predicate: " + messages.joined(separator: "; ")
        }
    }
}

/// One `requiredClusterSelector`, compiled: label requirements then claim requirements, all AND-ed.
struct CompiledPredicate: Sendable {
    private let matchers: [RequirementMatcher]
    private let messages: [String]

    init(_ selector: ClusterSelector?, location: String, fleet: FleetIndex, valueTable: inout [Int32]) {
        var requirements: [(RequirementMatcher.Source, String, SelectorOperator, [String], String)] = []
        if let labelSelector = selector?.labelSelector {
            let path = "\(location).labelSelector"
            for (key, value) in (labelSelector.matchLabels ?? [:]).sorted(by: { $0.key < $1.key }) {
                requirements.append((.label, key, .in, [value], "\(path).matchLabels[\(key)]"))
            }
            for (index, requirement) in (labelSelector.matchExpressions ?? []).enumerated() {
                requirements.append((.label, requirement.key, requirement.operator, requirement.values ?? [], "\(path).matchExpressions[\(index)]"))
            }
        }
        let claimPath = "\(location).claimSelector.matchExpressions"
        for (index, requirement) in (selector?.claimSelector?.matchExpressions ?? []).enumerated() {
            requirements.append((.claim, requirement.key, requirement.operator, requirement.values ?? [], "\(claimPath)[\(index)]"))
        }
        matchers = requirements.map { source, key, op, values, _ in
            RequirementMatcher(source: source, key: key, op: op, values: values, fleet: fleet, valueTable: &valueTable)
        }
        messages = requirements.map { source, key, op, values, location in
            RequirementMatcher.failureMessage(source: source, key: key, op: op, values: values, location: location)
        }
    }

    var requirementCount: Int { matchers.count }

    /// The index of the first requirement the cluster fails (labels first, then claims), or nil on a match.
    @inline(__always)
    func firstFailure(_ attributes: AttributeView, valueTable: UnsafeBufferPointer<Int32>) -> Int? {
        for index in matchers.indices where !matchers[index].matches(attributes, valueTable: valueTable) {
            return index
        }
        return nil
    }

    /// The message of requirement `index`; nil when the predicate has no requirements.
    func failureMessage(at index: Int) -> String? {
        index < messages.count ? messages[index] : nil
    }
}
