/// Kubernetes-style names (RFC 1123 labels): what jobs and clusters are called, and what
/// ends up in Kafka keys, file paths and URLs, so the rules are strict.
public enum ResourceName {
    public static let maximumLength = 63

    /// nil when `name` is valid, otherwise what is wrong with it.
    public static func problem(with name: String) -> String? {
        if name.isEmpty { return "must not be empty" }
        if name.utf8.count > maximumLength { return "must be at most \(maximumLength) characters, got \(name.utf8.count)" }
        let allowed = name.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 }
        if !allowed { return "'\(name)' may contain only lowercase letters, digits and '-'" }
        if name.hasPrefix("-") || name.hasSuffix("-") { return "'\(name)' must start and end with a letter or digit" }
        return nil
    }
}

/// Absolute paths without `..`, used for model storage and data paths.
public enum StoragePath {
    public static func problem(with path: String) -> String? {
        if path.isEmpty { return "must not be empty" }
        if !path.hasPrefix("/") { return "'\(path)' must be an absolute path" }
        if path.split(separator: "/").contains("..") { return "'\(path)' must not contain '..'" }
        if path.utf8.count > 1024 { return "must be at most 1024 characters" }
        return nil
    }
}
