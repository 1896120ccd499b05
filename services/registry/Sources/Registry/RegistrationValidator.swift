import Shared

/// Checks what an agent declares about its cluster, with the rules the job document's
/// selectors use (`KubernetesSyntax`, `LabelRules`). Every problem names the field.
public enum RegistrationValidator {
    public static let scoreRange = -100...100

    public static func problems(with registration: ClusterRegistration) -> [FieldError] {
        var errors: [FieldError] = []
        if let problem = ResourceName.problem(with: registration.name) {
            errors.append(FieldError(field: "name", problem: problem))
        }
        errors += LabelRules.labels(registration.labels, at: "labels")
        errors += LabelRules.claims(registration.claims, at: "claims")
        let resources = registration.resources
        if resources.cpuMillicores < 0 { errors.append(FieldError(field: "resources.cpuMillicores", problem: "must not be negative, got \(resources.cpuMillicores)")) }
        if resources.memoryBytes < 0 { errors.append(FieldError(field: "resources.memoryBytes", problem: "must not be negative, got \(resources.memoryBytes)")) }
        if !(0...4096).contains(resources.gpus) { errors.append(FieldError(field: "resources.gpus", problem: "must be in 0...4096, got \(resources.gpus)")) }
        for (name, score) in registration.scores.sorted(by: { $0.key < $1.key }) {
            if let problem = AddOnScore.scoreKeyProblem(name) { errors.append(FieldError(field: "scores[\(name)]", problem: problem)) }
            if !scoreRange.contains(score) { errors.append(FieldError(field: "scores[\(name)]", problem: "must be in -100...100, got \(score)")) }
        }
        // Whatever the checks above do not cover (a NUL in a claim value, say) is caught here.
        let covered = Set(errors.map(\.field))
        errors += TextFields.problems(in: registration).filter { !covered.contains($0.field) }
        return errors
    }
}
