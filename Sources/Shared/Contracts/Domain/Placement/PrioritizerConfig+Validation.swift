import Foundation

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
                    errors.append(FieldError(field: "\(coordinatePath).builtIn", problem: "unknown built-in prioritizer \"\(name)\"; allowed values: \(allowed)"))
                }
            } else {
                errors.append(FieldError(field: "\(coordinatePath).builtIn", problem: "is required when type is BuiltIn"))
            }
        case ScoreCoordinate.addOnType:
            if let addOn = scoreCoordinate.addOn {
                errors += addOn.validate(at: "\(coordinatePath).addOn")
            } else {
                errors.append(FieldError(field: "\(coordinatePath).addOn", problem: "is required when type is AddOn"))
            }
        default:
            errors.append(FieldError(field: "\(coordinatePath).type", problem: "unsupported value \"\(scoreCoordinate.type)\"; allowed values: BuiltIn, AddOn"))
        }
        return errors
    }
}

extension AddOnScore {
    /// OCM: `resourceName` names an `AddOnPlacementScore` resource (a DNS subdomain) and
    /// `scoreName` one score in it; together they form the key `resourceName/scoreName`.
    func validate(at path: String) -> [FieldError] {
        var errors: [FieldError] = []
        if let problem = KubernetesSyntax.dnsSubdomainProblem(resourceName) {
            errors.append(FieldError(field: "\(path).resourceName", problem: problem))
        }
        if let problem = Self.scoreNameProblem(scoreName) {
            errors.append(FieldError(field: "\(path).scoreName", problem: problem))
        }
        return errors
    }

    /// A score name: one name segment (no `/`), at most 63 of `[A-Za-z0-9-_.]`.
    public static func scoreNameProblem(_ name: String) -> String? {
        KubernetesSyntax.nameProblem(name).map { "'\(name)' is not a valid score name: \($0)" }
    }

    /// A published score's key: `resourceName/scoreName`, or a bare `scoreName`.
    public static func scoreKeyProblem(_ key: String) -> String? {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        switch parts.count {
        case 1: return scoreNameProblem(key)
        case 2:
            if let problem = KubernetesSyntax.dnsSubdomainProblem(String(parts[0])) { return "'\(key)' has an invalid resource name: \(problem)" }
            return scoreNameProblem(String(parts[1]))
        default: return "'\(key)' must be resourceName/scoreName or scoreName"
        }
    }
}
