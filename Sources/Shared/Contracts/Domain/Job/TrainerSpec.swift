/// Flotilla's extension `spec.client.trainer`: a program the collaborators run in place of the
/// built-in trainer, over the trainer contract (docs/trainer-contract.md): the global model and
/// the update as safetensors files, the metrics as JSON, the task, round, data directory and
/// the job's config in the environment. A Flower app runs this way through its adapter.
public struct TrainerSpec: Codable, Sendable, Hashable {
    /// The program and its arguments (no shell). The collaborator runs it only when its first
    /// element is among the programs that cluster allows (`FLOTILLA_TRAINER_PROGRAMS`).
    public var command: [String]?
    /// Handed to every task as JSON (`FLOTILLA_CONFIG`); for a Flower app, its `ConfigRecord`
    /// and the overrides of its `run_config`.
    public var config: [String: TrainerConfigValue]?
    /// Time limit of one task; the trainer is stopped after it and the round told why.
    public var timeoutSeconds: Int?
    /// `process` (default): one process per task. `serve`: one process per job, kept across
    /// rounds, handed tasks as JSON lines (the contract's "serve" section), so a round does not
    /// pay start-up and imports again.
    public var mode: Mode?
    /// `sha256:<hex>` of an app archive uploaded to the hub (`flotilla submit --app DIR`): the
    /// collaborators fetch it, check it and unpack it. Without a command it is a Flower app run
    /// by the cluster's Flower adapter in `serve` mode; with one, `{app}` in the command's
    /// arguments stands for the unpacked directory.
    public var app: String?

    public enum Mode: String, Codable, Sendable, Hashable, CaseIterable {
        case process, serve
    }

    public static let defaultTimeoutSeconds = 600
    public static let maximumTimeoutSeconds = 86_400
    public static let maximumArguments = 64
    public static let maximumArgumentLength = 4_096
    public static let maximumConfigEntries = 64

    public init(command: [String]? = nil, config: [String: TrainerConfigValue]? = nil, timeoutSeconds: Int? = nil, mode: Mode? = nil, app: String? = nil) {
        self.app = app
        self.mode = mode
        self.command = command
        self.config = config
        self.timeoutSeconds = timeoutSeconds
    }

    public var timeout: Duration { .seconds(timeoutSeconds ?? Self.defaultTimeoutSeconds) }

    /// The rules of the front door, applied again by every collaborator to what it consumes.
    public func validate(at path: String) -> [FieldError] {
        var errors: [FieldError] = []
        if let command {
            if command.isEmpty || command.count > Self.maximumArguments {
                errors.append(FieldError(field: "\(path).command", problem: "must hold 1...\(Self.maximumArguments) strings (the program, then its arguments), got \(command.count)"))
            }
            if let program = command.first, program.isEmpty {
                errors.append(FieldError(field: "\(path).command[0]", problem: "names no program"))
            }
            for (index, argument) in command.enumerated() where argument.utf8.count > Self.maximumArgumentLength {
                errors.append(FieldError(field: "\(path).command[\(index)]", problem: "is longer than \(Self.maximumArgumentLength) bytes"))
            }
        }
        if let config {
            if config.count > Self.maximumConfigEntries {
                errors.append(FieldError(field: "\(path).config", problem: "has \(config.count) entries; at most \(Self.maximumConfigEntries)"))
            }
            for key in config.keys.sorted() {
                if let problem = MetricName.problem(with: key) {
                    errors.append(FieldError(field: "\(path).config[\(key)]", problem: problem))
                }
                if let problem = config[key]?.problem {
                    errors.append(FieldError(field: "\(path).config[\(key)]", problem: problem))
                }
            }
        }
        if let app, !AppArchive.isDigest(app) {
            errors.append(FieldError(field: "\(path).app", problem: "must be sha256: and 64 lowercase hex digits (flotilla submit --app DIR fills it in), got '\(app.prefix(80))'"))
        }
        if command == nil && app == nil {
            errors.append(FieldError(field: path, problem: "names neither a command nor an app"))
        }
        if let timeoutSeconds, !(1...Self.maximumTimeoutSeconds).contains(timeoutSeconds) {
            errors.append(FieldError(field: "\(path).timeoutSeconds", problem: "must be in 1...\(Self.maximumTimeoutSeconds) (a day), got \(timeoutSeconds)"))
        }
        return errors
    }
}

/// A value of a trainer's config: what Flower's `ConfigRecord` and a JSON object both hold.
public enum TrainerConfigValue: Codable, Sendable, Hashable, CustomStringConvertible {
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int.self) {
            self = .int(value)
        } else if let value = try? container.decode(Double.self) {
            self = .double(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "must be a string, a number or true/false")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .bool(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .double(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        }
    }

    public var description: String {
        switch self {
        case .bool(let value): "\(value)"
        case .int(let value): "\(value)"
        case .double(let value): "\(value)"
        case .string(let value): value
        }
    }

    var problem: String? {
        switch self {
        case .double(let value) where !value.isFinite: "must be a finite number"
        case .string(let value) where value.utf8.count > TrainerSpec.maximumArgumentLength: "is longer than \(TrainerSpec.maximumArgumentLength) bytes"
        default: nil
        }
    }
}

/// Names of metrics and config entries, as the trainer contract allows them: plain enough
/// for a Prometheus label, a JSON key and a Flower record key alike.
public enum MetricName {
    public static let maximumLength = 64

    public static func problem(with name: String) -> String? {
        guard !name.isEmpty, name.utf8.count <= maximumLength else { return "a name must have 1...\(maximumLength) characters" }
        let allowed = name.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "_.-".unicodeScalars.contains(scalar))
        }
        return allowed ? nil : "'\(name)' may contain only letters, digits, '_', '.' and '-'"
    }
}
