/// `{"name": "<strategy>", <parameters>}` with every parameter optional on input (the case's
/// default) and always written on output. Unknown names and fields are errors that name them,
/// so a typo such as `"beta_1"` fails loudly instead of silently taking the default.
extension AggregationStrategy: Codable {
    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// The parameter fields each strategy accepts, besides `name`.
    static func fields(of name: String) -> [String]? {
        switch name {
        case "fedAvg", "fedMedian": []
        case "fedProx": ["mu"]
        case "fedAdam", "fedYogi": ["eta", "beta1", "beta2", "tau"]
        case "fedAdagrad": ["eta", "tau"]
        case "trimmedMean": ["beta"]
        case "krum": ["f"]
        case "multiKrum": ["f", "m"]
        default: nil
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        let name = try container.decode(String.self, forKey: Key("name"))
        guard let fields = Self.fields(of: name) else {
            throw DecodingError.dataCorruptedError(
                forKey: Key("name"), in: container,
                debugDescription: "unknown strategy '\(name)'; expected one of \(Self.names.joined(separator: ", "))")
        }
        for key in container.allKeys where key.stringValue != "name" && !fields.contains(key.stringValue) {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: container,
                debugDescription: "'\(name)' has no field '\(key.stringValue)'; its fields are \(fields)")
        }
        func float(_ field: String, _ fallback: Float?) throws -> Float {
            if let value = try container.decodeIfPresent(Float.self, forKey: Key(field)) { return value }
            guard let fallback else {
                throw DecodingError.keyNotFound(Key(field), .init(
                    codingPath: container.codingPath, debugDescription: "'\(name)' requires '\(field)'"))
            }
            return fallback
        }
        func int(_ field: String, _ fallback: Int) throws -> Int {
            try container.decodeIfPresent(Int.self, forKey: Key(field)) ?? fallback
        }
        switch name {
        case "fedProx": self = .fedProx(mu: try float("mu", nil))
        case "fedAdam":
            self = .fedAdam(eta: try float("eta", 0.1), beta1: try float("beta1", 0.9), beta2: try float("beta2", 0.99), tau: try float("tau", 1e-3))
        case "fedYogi":
            self = .fedYogi(eta: try float("eta", 0.01), beta1: try float("beta1", 0.9), beta2: try float("beta2", 0.99), tau: try float("tau", 1e-3))
        case "fedAdagrad": self = .fedAdagrad(eta: try float("eta", 0.1), tau: try float("tau", 1e-3))
        case "fedMedian": self = .fedMedian
        case "trimmedMean": self = .trimmedMean(beta: try float("beta", 0.2))
        case "krum": self = .krum(f: try int("f", 0))
        case "multiKrum": self = .multiKrum(f: try int("f", 0), m: try int("m", 1))
        default: self = .fedAvg
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(name, forKey: Key("name"))
        switch self {
        case .fedAvg, .fedMedian:
            break
        case let .fedProx(mu):
            try container.encode(mu, forKey: Key("mu"))
        case let .fedAdam(eta, beta1, beta2, tau), let .fedYogi(eta, beta1, beta2, tau):
            try container.encode(eta, forKey: Key("eta"))
            try container.encode(beta1, forKey: Key("beta1"))
            try container.encode(beta2, forKey: Key("beta2"))
            try container.encode(tau, forKey: Key("tau"))
        case let .fedAdagrad(eta, tau):
            try container.encode(eta, forKey: Key("eta"))
            try container.encode(tau, forKey: Key("tau"))
        case let .trimmedMean(beta):
            try container.encode(beta, forKey: Key("beta"))
        case let .krum(f):
            try container.encode(f, forKey: Key("f"))
        case let .multiKrum(f, m):
            try container.encode(f, forKey: Key("f"))
            try container.encode(m, forKey: Key("m"))
        }
    }
}
