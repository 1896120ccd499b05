import Foundation
@testable import Placement
import Shared

/// OCM's `Predicate` filter: `predicates` are OR-ed; inside one `requiredClusterSelector` every
/// label requirement and every claim requirement must hold. No predicates select everything;
/// an empty selector matches every cluster.
///
/// Assumes the spec passed `PlacementSpec.validate(at:)`: an `In` with no values matches nothing.
struct ReferencePredicateFilter: ClusterFilter {
    static let name = ClusterExplanation.predicatesFilter

    private let predicates: [ReferenceCompiledPredicate]
    private let reasons: FailureReasons

    init(_ predicates: [ClusterPredicate]?) {
        let compiled = (predicates ?? []).enumerated().map { index, predicate in
            ReferenceCompiledPredicate(predicate.requiredClusterSelector, location: "predicates[\(index)].requiredClusterSelector")
        }
        self.predicates = compiled
        self.reasons = FailureReasons(compiled)
    }

    func evaluate(labels: [String: String], claims: [String: String]) -> FilterOutcome {
        guard !predicates.isEmpty else { return .pass(until: nil) }
        // Each predicate is evaluated once; the failing requirement indices pick the reason.
        var key = 0
        for index in predicates.indices {
            guard let failure = predicates[index].firstFailure(labels: labels, claims: claims) else {
                return .pass(until: nil)
            }
            key += failure * reasons.strides[index]
        }
        return .filtered(reason: reasons.reason(forKey: key))
    }

    /// Every "no predicate matched" message, prepared once per spec: a cluster that fails is
    /// described by the first failing requirement of each predicate, so the messages are indexed
    /// by those indices in mixed radix. Rejecting thousands of clusters then costs no string work.
    private struct FailureReasons: Sendable {
        let strides: [Int]
        private let table: [String]
        private let predicates: [ReferenceCompiledPredicate]
        private static let maxPrepared = 1024

        init(_ predicates: [ReferenceCompiledPredicate]) {
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

        private static func describe(key: Int, predicates: [ReferenceCompiledPredicate], strides: [Int]) -> String {
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
struct ReferenceCompiledPredicate: Sendable {
    private let labelRequirements: [ReferenceCompiledRequirement]
    private let claimRequirements: [ReferenceCompiledRequirement]

    init(_ selector: ClusterSelector?, location: String) {
        var labels: [ReferenceCompiledRequirement] = []
        if let labelSelector = selector?.labelSelector {
            let path = "\(location).labelSelector"
            for (key, value) in (labelSelector.matchLabels ?? [:]).sorted(by: { $0.key < $1.key }) {
                labels.append(ReferenceCompiledRequirement(
                    source: .label, key: key, op: .in, values: [value], location: "\(path).matchLabels[\(key)]"
                ))
            }
            for (index, requirement) in (labelSelector.matchExpressions ?? []).enumerated() {
                labels.append(ReferenceCompiledRequirement(
                    source: .label, key: requirement.key, op: requirement.operator,
                    values: requirement.values ?? [], location: "\(path).matchExpressions[\(index)]"
                ))
            }
        }
        let claimPath = "\(location).claimSelector.matchExpressions"
        claimRequirements = (selector?.claimSelector?.matchExpressions ?? []).enumerated().map { index, requirement in
            ReferenceCompiledRequirement(
                source: .claim, key: requirement.key, op: requirement.operator,
                values: requirement.values ?? [], location: "\(claimPath)[\(index)]"
            )
        }
        labelRequirements = labels
    }

    var requirementCount: Int { labelRequirements.count + claimRequirements.count }

    /// The index of the first requirement the attributes fail (labels first, then claims), or nil on a match.
    @inline(__always)
    func firstFailure(labels: [String: String], claims: [String: String]) -> Int? {
        for index in labelRequirements.indices where !labelRequirements[index].matches(labels) {
            return index
        }
        for index in claimRequirements.indices where !claimRequirements[index].matches(claims) {
            return labelRequirements.count + index
        }
        return nil
    }

    /// The message of requirement `index`; nil when the predicate has no requirements.
    func failureMessage(at index: Int) -> String? {
        if index < labelRequirements.count { return labelRequirements[index].failureMessage }
        let claim = index - labelRequirements.count
        return claim < claimRequirements.count ? claimRequirements[claim].failureMessage : nil
    }
}
