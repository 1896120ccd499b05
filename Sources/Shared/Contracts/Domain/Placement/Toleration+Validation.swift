import Foundation

extension Toleration {
    /// Longer than any grace period; keeps `timeAdded + tolerationSeconds` a plain date.
    public static let maximumSeconds: Int64 = 315_360_000

    func validate(at path: String) -> [FieldError] {
        var errors: [FieldError] = []
        if let seconds = tolerationSeconds, !(0...Self.maximumSeconds).contains(seconds) {
            errors.append(FieldError(field: "\(path).tolerationSeconds", problem: "must be in 0...\(Self.maximumSeconds) (ten years), got \(seconds)"))
        }
        if let key, !key.isEmpty, let problem = KubernetesSyntax.qualifiedNameProblem(key) {
            errors.append(FieldError(field: "\(path).key", problem: problem))
        }
        if let value, let problem = KubernetesSyntax.labelValueProblem(value) {
            errors.append(FieldError(field: "\(path).value", problem: problem))
        }
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
