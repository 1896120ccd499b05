/// Kubernetes' syntax for label keys and values, claim names and DNS names, shared by the job
/// document (selectors, tolerations) and the registry (what a cluster declares). Each check
/// returns nil when the text is valid, otherwise what is wrong with it.
public enum KubernetesSyntax {
    public static let maximumNameLength = 63
    public static let maximumSubdomainLength = 253

    /// A qualified name (label key, claim name, taint key): an optional DNS-subdomain prefix
    /// and `/`, then a name of at most 63 of `[A-Za-z0-9-_.]`, starting and ending alphanumeric.
    public static func qualifiedNameProblem(_ text: String) -> String? {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        switch parts.count {
        case 1:
            return nameProblem(text).map { "'\(text)' is not a qualified name: \($0)" }
        case 2:
            if let problem = dnsSubdomainProblem(String(parts[0])) { return "'\(text)' has an invalid prefix: \(problem)" }
            return nameProblem(String(parts[1])).map { "'\(text)' is not a qualified name: \($0)" }
        default:
            return "'\(text)' is not a qualified name: at most one '/' separates the prefix from the name"
        }
    }

    /// A label value: empty, or a name of at most 63 of `[A-Za-z0-9-_.]`, alphanumeric at both ends.
    public static func labelValueProblem(_ text: String) -> String? {
        if text.isEmpty { return nil }
        return nameProblem(text).map { "'\(text)' is not a valid label value: \($0)" }
    }

    /// A DNS subdomain (RFC 1123): at most 253 of `[a-z0-9-.]`, alphanumeric at both ends.
    public static func dnsSubdomainProblem(_ text: String) -> String? {
        if text.isEmpty { return "must not be empty" }
        if text.utf8.count > maximumSubdomainLength { return "must be at most \(maximumSubdomainLength) characters, got \(text.utf8.count)" }
        let bytes = Array(text.utf8)
        guard bytes.allSatisfy({ isLowerAlphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") }) else {
            return "'\(text)' may contain only lowercase letters, digits, '-' and '.'"
        }
        for label in bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false) {
            guard let first = label.first, let last = label.last, isLowerAlphanumeric(first), isLowerAlphanumeric(last) else {
                return "'\(text)' must consist of lowercase alphanumeric parts separated by '.' (each starting and ending alphanumeric)"
            }
        }
        return nil
    }

    /// The name part of a qualified name, and a non-empty label value.
    static func nameProblem(_ text: String) -> String? {
        if text.isEmpty { return "the name must not be empty" }
        let bytes = Array(text.utf8)
        if bytes.count > maximumNameLength { return "the name must be at most \(maximumNameLength) characters, got \(bytes.count)" }
        guard bytes.allSatisfy({ isAlphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") }) else {
            return "the name may contain only letters, digits, '-', '_' and '.'"
        }
        guard let first = bytes.first, let last = bytes.last, isAlphanumeric(first), isAlphanumeric(last) else {
            return "the name must start and end with a letter or digit"
        }
        return nil
    }

    private static func isLowerAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        isLowerAlphanumeric(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }
}
