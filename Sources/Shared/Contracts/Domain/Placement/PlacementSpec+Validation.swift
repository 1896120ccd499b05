import Foundation

extension PlacementSpec {
    /// Checks the spec the way OCM's API validation and scheduler would reject it.
    /// - Parameter path: the path of this spec in its document, e.g. `spec.client.placement`.
    /// - Returns: every problem found, in document order; empty when valid.
    public func validate(at path: String) -> [FieldError] {
        var errors: [FieldError] = []
        if let numberOfClusters, numberOfClusters < 0 {
            errors.append(FieldError(field: "\(path).numberOfClusters", problem: "must be >= 0, got \(numberOfClusters)"))
        }
        for (index, set) in (clusterSets ?? []).enumerated() {
            // A set is a value of the clusterset label, so it needs that syntax.
            let problem = set.isEmpty ? "must not be empty" : KubernetesSyntax.labelValueProblem(set)
            if let problem { errors.append(FieldError(field: "\(path).clusterSets[\(index)]", problem: problem)) }
        }
        for (index, predicate) in (predicates ?? []).enumerated() {
            let selectorPath = "\(path).predicates[\(index)].requiredClusterSelector"
            guard let selector = predicate.requiredClusterSelector else { continue }
            if let labelSelector = selector.labelSelector {
                let labelPath = "\(selectorPath).labelSelector"
                errors += LabelRules.labels(labelSelector.matchLabels ?? [:], at: "\(labelPath).matchLabels")
                errors += SelectorRequirement.validate(labelSelector.matchExpressions, at: "\(labelPath).matchExpressions", valuesAreLabels: true)
            }
            if let claimSelector = selector.claimSelector {
                errors += SelectorRequirement.validate(claimSelector.matchExpressions, at: "\(selectorPath).claimSelector.matchExpressions", valuesAreLabels: false)
            }
        }
        for (index, toleration) in (tolerations ?? []).enumerated() {
            errors += toleration.validate(at: "\(path).tolerations[\(index)]")
        }
        if let policy = prioritizerPolicy {
            for (index, config) in (policy.configurations ?? []).enumerated() {
                errors += config.validate(at: "\(path).prioritizerPolicy.configurations[\(index)]")
            }
        }
        return errors
    }

    /// Whether some cluster could get a data path: a selected cluster's client is handed the
    /// value of a claim the placement requires with `Exists` or `In` (see placement's
    /// `PlacementCoordinator.dataPath`), so without such a requirement none ever could.
    public var providesDataPath: Bool {
        (predicates ?? []).contains { predicate in
            (predicate.requiredClusterSelector?.claimSelector?.matchExpressions ?? []).contains { $0.operator == .exists || $0.operator == .in }
        }
    }
}

extension SelectorRequirement {
    /// Label requirements take label values; claim requirements take claim values (data paths).
    static func validate(_ requirements: [SelectorRequirement]?, at path: String, valuesAreLabels: Bool) -> [FieldError] {
        var errors: [FieldError] = []
        for (index, requirement) in (requirements ?? []).enumerated() {
            let itemPath = "\(path)[\(index)]"
            if requirement.key.isEmpty {
                errors.append(FieldError(field: "\(itemPath).key", problem: "must not be empty"))
            } else if let problem = KubernetesSyntax.qualifiedNameProblem(requirement.key) {
                errors.append(FieldError(field: "\(itemPath).key", problem: problem))
            }
            let values = requirement.values ?? []
            let needsValues = requirement.operator == .in || requirement.operator == .notIn
            if needsValues, values.isEmpty {
                errors.append(FieldError(field: "\(itemPath).values", problem: "must be non-empty when operator is \(requirement.operator.rawValue)"))
            } else if !needsValues, !values.isEmpty {
                errors.append(FieldError(field: "\(itemPath).values", problem: "must be empty when operator is \(requirement.operator.rawValue)"))
            }
            for (valueIndex, value) in values.enumerated() {
                let problem = valuesAreLabels ? KubernetesSyntax.labelValueProblem(value) : LabelRules.claimValueProblem(value)
                if let problem { errors.append(FieldError(field: "\(itemPath).values[\(valueIndex)]", problem: problem)) }
            }
        }
        return errors
    }
}
