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
        for (index, set) in (clusterSets ?? []).enumerated() where set.isEmpty {
            errors.append(FieldError(field: "\(path).clusterSets[\(index)]", problem: "must not be empty"))
        }
        for (index, predicate) in (predicates ?? []).enumerated() {
            let selectorPath = "\(path).predicates[\(index)].requiredClusterSelector"
            guard let selector = predicate.requiredClusterSelector else { continue }
            if let labelSelector = selector.labelSelector {
                let labelPath = "\(selectorPath).labelSelector"
                for key in (labelSelector.matchLabels ?? [:]).keys.sorted() where key.isEmpty {
                    errors.append(FieldError(field: "\(labelPath).matchLabels", problem: "keys must not be empty"))
                }
                errors += Self.validate(labelSelector.matchExpressions, at: "\(labelPath).matchExpressions")
            }
            if let claimSelector = selector.claimSelector {
                errors += Self.validate(claimSelector.matchExpressions, at: "\(selectorPath).claimSelector.matchExpressions")
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

    private static func validate(_ requirements: [SelectorRequirement]?, at path: String) -> [FieldError] {
        var errors: [FieldError] = []
        for (index, requirement) in (requirements ?? []).enumerated() {
            let itemPath = "\(path)[\(index)]"
            if requirement.key.isEmpty {
                errors.append(FieldError(field: "\(itemPath).key", problem: "must not be empty"))
            }
            let values = requirement.values ?? []
            let needsValues = requirement.operator == .in || requirement.operator == .notIn
            if needsValues, values.isEmpty {
                errors.append(FieldError(
                    field: "\(itemPath).values",
                    problem: "must be non-empty when operator is \(requirement.operator.rawValue)"
                ))
            } else if !needsValues, !values.isEmpty {
                errors.append(FieldError(
                    field: "\(itemPath).values",
                    problem: "must be empty when operator is \(requirement.operator.rawValue)"
                ))
            }
        }
        return errors
    }
}

extension Toleration {
    func validate(at path: String) -> [FieldError] {
        var errors: [FieldError] = []
        let op = self.operator ?? .equal
        if (key ?? "").isEmpty, op != .exists {
            errors.append(FieldError(field: "\(path).operator", problem: "must be Exists when key is empty"))
        }
        if op == .exists, let value, !value.isEmpty {
            errors.append(FieldError(field: "\(path).value", problem: "must be empty when operator is Exists"))
        }
        return errors
    }
}

extension PrioritizerConfig {
    func validate(at path: String) -> [FieldError] {
        var errors: [FieldError] = []
        if let weight, !Self.weightRange.contains(weight) {
            errors.append(FieldError(field: "\(path).weight", problem: "must be between -10 and 10, got \(weight)"))
        }
        let coordinatePath = "\(path).scoreCoordinate"
        switch scoreCoordinate.type {
        case ScoreCoordinate.builtInType:
            if let name = scoreCoordinate.builtIn, !name.isEmpty {
                if BuiltInPrioritizer(rawValue: name) == nil {
                    let allowed = BuiltInPrioritizer.allowedValues.joined(separator: ", ")
                    errors.append(FieldError(
                        field: "\(coordinatePath).builtIn",
                        problem: "unknown built-in prioritizer \"\(name)\"; allowed values: \(allowed)"
                    ))
                }
            } else {
                errors.append(FieldError(field: "\(coordinatePath).builtIn", problem: "is required when type is BuiltIn"))
            }
        case ScoreCoordinate.addOnType:
            if let addOn = scoreCoordinate.addOn {
                if addOn.resourceName.isEmpty {
                    errors.append(FieldError(field: "\(coordinatePath).addOn.resourceName", problem: "must not be empty"))
                }
                if addOn.scoreName.isEmpty {
                    errors.append(FieldError(field: "\(coordinatePath).addOn.scoreName", problem: "must not be empty"))
                }
            } else {
                errors.append(FieldError(field: "\(coordinatePath).addOn", problem: "is required when type is AddOn"))
            }
        default:
            errors.append(FieldError(
                field: "\(coordinatePath).type",
                problem: "unsupported value \"\(scoreCoordinate.type)\"; allowed values: BuiltIn, AddOn"
            ))
        }
        return errors
    }
}
