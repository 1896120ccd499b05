import Foundation

/// The effect of a taint on placement.
public enum TaintEffect: String, ClosedStringEnum {
    /// Never selected; removed from a decision that already holds it.
    case noSelect = "NoSelect"
    /// Kept if already selected, never newly selected.
    case noSelectIfNew = "NoSelectIfNew"
    /// Does not filter (OCM treats it as a soft preference).
    case preferNoSelect = "PreferNoSelect"

    public init(from decoder: any Decoder) throws {
        self = try Self.decodeStrictly(from: decoder)
    }
}

/// A taint on a managed cluster (OCM `Taint`).
public struct Taint: Codable, Sendable, Hashable {
    /// Set by the registry when a cluster's lease expires.
    public static let unavailableKey = "cluster.open-cluster-management.io/unavailable"
    /// Set when the hub cannot reach a cluster.
    public static let unreachableKey = "cluster.open-cluster-management.io/unreachable"

    public var key: String
    public var value: String?
    public var effect: TaintEffect
    /// When the taint was added; `tolerationSeconds` counts from here.
    public var timeAdded: Date

    public init(key: String, value: String? = nil, effect: TaintEffect, timeAdded: Date) {
        self.key = key
        self.value = value
        self.effect = effect
        self.timeAdded = timeAdded
    }
}
