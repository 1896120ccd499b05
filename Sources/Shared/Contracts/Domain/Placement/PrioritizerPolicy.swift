import Foundation

/// `Additive` (default: Balance and Steady weigh 1 unless configured) or `Exact` (only listed).
public enum PrioritizerPolicyMode: String, ClosedStringEnum {
    case additive = "Additive"
    case exact = "Exact"

    public init(from decoder: any Decoder) throws {
        self = try Self.decodeStrictly(from: decoder)
    }
}

/// OCM `PrioritizerPolicy`.
public struct PrioritizerPolicy: Codable, Sendable, Hashable {
    /// Defaults to `Additive` when unset.
    public var mode: PrioritizerPolicyMode?
    public var configurations: [PrioritizerConfig]?

    public init(mode: PrioritizerPolicyMode? = nil, configurations: [PrioritizerConfig]? = nil) {
        self.mode = mode
        self.configurations = configurations
    }
}

/// One prioritizer and its weight in [-10, 10] (default 1).
public struct PrioritizerConfig: Codable, Sendable, Hashable {
    public static let defaultWeight: Int32 = 1
    public static let weightRange: ClosedRange<Int32> = -10...10

    public var scoreCoordinate: ScoreCoordinate
    public var weight: Int32?

    public init(scoreCoordinate: ScoreCoordinate, weight: Int32? = nil) {
        self.scoreCoordinate = scoreCoordinate
        self.weight = weight
    }
}

/// Names a prioritizer: a built-in one, or a score published by an add-on.
public struct ScoreCoordinate: Codable, Sendable, Hashable {
    public static let builtInType = "BuiltIn"
    public static let addOnType = "AddOn"

    /// `BuiltIn` or `AddOn`.
    public var type: String
    /// One of `BuiltInPrioritizer`'s raw values when `type` is `BuiltIn`.
    public var builtIn: String?
    /// Required when `type` is `AddOn`.
    public var addOn: AddOnScore?

    public init(type: String, builtIn: String? = nil, addOn: AddOnScore? = nil) {
        self.type = type
        self.builtIn = builtIn
        self.addOn = addOn
    }

    private enum CodingKeys: String, CodingKey {
        case type, builtIn, addOn
    }

    /// Decodes like the OCM API server defaults it: a missing or empty `type` is `BuiltIn`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let type = try container.decodeIfPresent(String.self, forKey: .type) ?? ""
        self.type = type.isEmpty ? Self.builtInType : type
        self.builtIn = try container.decodeIfPresent(String.self, forKey: .builtIn)
        self.addOn = try container.decodeIfPresent(AddOnScore.self, forKey: .addOn)
    }

    public static func builtIn(_ prioritizer: BuiltInPrioritizer) -> ScoreCoordinate {
        ScoreCoordinate(type: builtInType, builtIn: prioritizer.rawValue)
    }

    public static func addOn(resourceName: String, scoreName: String) -> ScoreCoordinate {
        ScoreCoordinate(type: addOnType, addOn: AddOnScore(resourceName: resourceName, scoreName: scoreName))
    }
}

/// An add-on score: the `AddOnPlacementScore` resource name and the score name inside it.
public struct AddOnScore: Codable, Sendable, Hashable {
    public var resourceName: String
    public var scoreName: String

    public init(resourceName: String, scoreName: String) {
        self.resourceName = resourceName
        self.scoreName = scoreName
    }
}

/// The built-in prioritizers Flotilla implements.
public enum BuiltInPrioritizer: String, ClosedStringEnum {
    case balance = "Balance"
    case steady = "Steady"
    case resourceAllocatableCPU = "ResourceAllocatableCPU"
    case resourceAllocatableMemory = "ResourceAllocatableMemory"

    public init(from decoder: any Decoder) throws {
        self = try Self.decodeStrictly(from: decoder)
    }
}
