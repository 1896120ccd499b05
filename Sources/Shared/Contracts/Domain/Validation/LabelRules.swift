/// The checks a set of labels or claims gets wherever it appears (job metadata, selectors,
/// registrations), so the door and the registry say the same about the same text.
public enum LabelRules {
    /// Claim values are data paths and other free text (OCM allows 1024 characters).
    public static let maximumClaimValueLength = 1024

    /// Keys are qualified names, values label values; errors name `path[key]`.
    public static func labels(_ labels: [String: String], at path: String) -> [FieldError] {
        var errors: [FieldError] = []
        for (key, value) in labels.sorted(by: { $0.key < $1.key }) {
            let field = "\(path)[\(key)]"
            if let problem = KubernetesSyntax.qualifiedNameProblem(key) { errors.append(FieldError(field: field, problem: problem)) }
            if let problem = KubernetesSyntax.labelValueProblem(value) { errors.append(FieldError(field: field, problem: problem)) }
        }
        return errors
    }

    /// Claim names are qualified names; values free text of bounded length.
    public static func claims(_ claims: [String: String], at path: String) -> [FieldError] {
        var errors: [FieldError] = []
        for (key, value) in claims.sorted(by: { $0.key < $1.key }) {
            let field = "\(path)[\(key)]"
            if let problem = KubernetesSyntax.qualifiedNameProblem(key) { errors.append(FieldError(field: field, problem: problem)) }
            if let problem = claimValueProblem(value) { errors.append(FieldError(field: field, problem: problem)) }
        }
        return errors
    }

    public static func claimValueProblem(_ value: String) -> String? {
        if value.utf8.count > maximumClaimValueLength {
            return "value must be at most \(maximumClaimValueLength) characters, got \(value.utf8.count)"
        }
        return TextFields.problem(with: value).map { "value \($0)" }
    }
}
