import Shared

/// Checks what an agent declares about its cluster. Every problem names the field.
public enum RegistrationValidator {
    public static let maximumClaimValueLength = 1024
    public static let maximumKeyLength = 253
    public static let scoreRange = -100...100

    public static func problems(with registration: ClusterRegistration) -> [FieldError] {
        var errors: [FieldError] = []
        if let problem = ResourceName.problem(with: registration.name) {
            errors.append(FieldError(field: "name", problem: problem))
        }
        for (key, value) in registration.labels.sorted(by: { $0.key < $1.key }) {
            if let problem = keyProblem(key) { errors.append(FieldError(field: "labels[\(key)]", problem: problem)) }
            if value.utf8.count > 63 { errors.append(FieldError(field: "labels[\(key)]", problem: "value must be at most 63 characters")) }
        }
        for (key, value) in registration.claims.sorted(by: { $0.key < $1.key }) {
            if let problem = keyProblem(key) { errors.append(FieldError(field: "claims[\(key)]", problem: problem)) }
            if value.utf8.count > maximumClaimValueLength {
                errors.append(FieldError(field: "claims[\(key)]", problem: "value must be at most \(maximumClaimValueLength) characters, got \(value.utf8.count)"))
            }
        }
        let resources = registration.resources
        if resources.cpuMillicores < 0 { errors.append(FieldError(field: "resources.cpuMillicores", problem: "must not be negative, got \(resources.cpuMillicores)")) }
        if resources.memoryBytes < 0 { errors.append(FieldError(field: "resources.memoryBytes", problem: "must not be negative, got \(resources.memoryBytes)")) }
        if resources.gpus < 0 { errors.append(FieldError(field: "resources.gpus", problem: "must not be negative, got \(resources.gpus)")) }
        for (name, score) in registration.scores.sorted(by: { $0.key < $1.key }) where !scoreRange.contains(score) {
            errors.append(FieldError(field: "scores[\(name)]", problem: "must be in -100...100, got \(score)"))
        }
        return errors
    }

    /// Label and claim names: Kubernetes qualified names (optional DNS prefix, then a name).
    static func keyProblem(_ key: String) -> String? {
        if key.isEmpty { return "name must not be empty" }
        if key.utf8.count > maximumKeyLength { return "name must be at most \(maximumKeyLength) characters" }
        let allowed = key.utf8.allSatisfy { byte in
            (byte >= 97 && byte <= 122) || (byte >= 65 && byte <= 90) || (byte >= 48 && byte <= 57) || [45, 46, 95, 47].contains(byte)
        }
        return allowed ? nil : "'\(key)' may contain only letters, digits, '-', '_', '.' and '/'"
    }
}
