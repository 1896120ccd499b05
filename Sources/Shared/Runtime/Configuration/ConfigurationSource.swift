import Foundation

/// Typed access to configuration from environment variables. Every error names the key
/// and what is wrong with its value.
public struct ConfigurationSource: Sendable {
    public var values: [String: String]

    public init(_ values: [String: String]) { self.values = values }

    public static var process: ConfigurationSource {
        ConfigurationSource(ProcessInfoEnvironment.current)
    }

    public func string(_ key: ConfigurationKey) throws(ConfigurationError) -> String {
        if let value = values[key.rawValue] { return value }
        if let value = key.defaultValue { return value }
        throw ConfigurationError(key: key, problem: "is required (\(key.summary))")
    }

    public func int(_ key: ConfigurationKey, in range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
        let text = try string(key)
        guard let value = Int(text), range.contains(value) else {
            throw ConfigurationError(key: key, problem: "'\(text)' is not an integer in \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }

    /// `k=v,k=v` pairs; an entry without `=` is an error.
    public func pairs(_ key: ConfigurationKey) throws(ConfigurationError) -> [String: String] {
        var result: [String: String] = [:]
        for (index, entry) in try string(key).split(separator: ",").enumerated() {
            let trimmed = entry.trimmingCharacters(in: .whitespaces)
            guard let equals = trimmed.firstIndex(of: "="), equals != trimmed.startIndex else {
                // Never echoed: a mistyped `sasl.password:secret` would print the secret.
                throw ConfigurationError(key: key, problem: "entry \(index + 1) (\(trimmed.count) characters) is not name=value")
            }
            result[String(trimmed[..<equals])] = String(trimmed[trimmed.index(after: equals)...])
        }
        return result
    }
}

public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public var key: ConfigurationKey
    public var problem: String
    public init(key: ConfigurationKey, problem: String) {
        self.key = key
        self.problem = problem
    }
    public var description: String { "\(key.rawValue): \(problem)" }
}
