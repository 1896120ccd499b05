import Foundation

/// The outcome of scheduling one placement: the chosen clusters in rank order, the
/// `PlacementSatisfied` condition, and an explanation for every candidate cluster.
public struct PlacementDecision: Codable, Sendable, Hashable {
    /// Selected cluster names, best first.
    public var selected: [String]
    public var condition: PlacementCondition
    /// One entry per candidate cluster (clusters in the placement's cluster sets), sorted by name.
    public var explanations: [ClusterExplanation]
    /// Seconds from the scheduling time until the earliest toleration with `tolerationSeconds`
    /// expires; the caller should schedule again then. Nil when nothing is pending.
    public var requeueAfter: TimeInterval?

    public init(
        selected: [String],
        condition: PlacementCondition,
        explanations: [ClusterExplanation],
        requeueAfter: TimeInterval? = nil
    ) {
        self.selected = selected
        self.condition = condition
        self.explanations = explanations
        self.requeueAfter = requeueAfter
    }

    /// The explanation for one cluster, if it was a candidate.
    public func explanation(for cluster: String) -> ClusterExplanation? {
        explanations.first { $0.cluster == cluster }
    }
}

/// OCM's `PlacementSatisfied` condition.
public struct PlacementCondition: Codable, Sendable, Hashable {
    public static let type = "PlacementSatisfied"

    public var satisfied: Bool
    public var reason: PlacementSatisfiedReason
    public var message: String

    public init(satisfied: Bool, reason: PlacementSatisfiedReason, message: String) {
        self.satisfied = satisfied
        self.reason = reason
        self.message = message
    }
}

/// Reasons of the `PlacementSatisfied` condition, spelled as OCM does.
public enum PlacementSatisfiedReason: String, ClosedStringEnum {
    case noManagedClusterSetBindings = "NoManagedClusterSetBindings"
    /// None of the listed cluster sets is bound (only when bindings are modelled, see `SchedulingContext`).
    case noIntersection = "NoIntersection"
    case allManagedClusterSetsEmpty = "AllManagedClusterSetsEmpty"
    case noManagedClusterMatched = "NoManagedClusterMatched"
    case notAllDecisionsScheduled = "NotAllDecisionsScheduled"
    case allDecisionsScheduled = "AllDecisionsScheduled"

    public init(from decoder: any Decoder) throws {
        self = try Self.decodeStrictly(from: decoder)
    }
}

/// Why one candidate cluster was or was not chosen.
public struct ClusterExplanation: Codable, Sendable, Hashable {
    public var cluster: String
    /// The filter that removed it (`predicates`, `taintToleration`), nil if feasible.
    public var filteredBy: String?
    public var filterReason: String?
    /// Each prioritizer's score and weight; empty when filtered.
    public var scores: [PrioritizerScore]
    /// Weighted sum of `scores`; nil when filtered.
    public var total: Int?
    public var selected: Bool

    public init(
        cluster: String,
        filteredBy: String? = nil,
        filterReason: String? = nil,
        scores: [PrioritizerScore] = [],
        total: Int? = nil,
        selected: Bool = false
    ) {
        self.cluster = cluster
        self.filteredBy = filteredBy
        self.filterReason = filterReason
        self.scores = scores
        self.total = total
        self.selected = selected
    }
}

/// One prioritizer's contribution: `name` is the built-in name or `AddOn/resourceName/scoreName`.
public struct PrioritizerScore: Codable, Sendable, Hashable {
    public var name: String
    /// In [-100, 100].
    public var score: Int
    public var weight: Int

    public init(name: String, score: Int, weight: Int) {
        self.name = name
        self.score = score
        self.weight = weight
    }
}

extension ClusterExplanation {
    /// `filteredBy` for a cluster outside the placement's cluster sets.
    public static let clusterSetsFilter = "clusterSets"
    /// `filteredBy` for a cluster the aggregator reported unresponsive for this job.
    public static let unresponsiveFilter = "unresponsive"
    /// `filteredBy` for a cluster that matches none of the predicates.
    public static let predicatesFilter = "predicates"
    /// `filteredBy` for a cluster with a taint the placement does not tolerate.
    public static let taintTolerationFilter = "taintToleration"
}
