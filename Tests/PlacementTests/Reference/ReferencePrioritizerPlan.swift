import Foundation
@testable import Placement
import Shared

/// The prioritizers a spec enables and their weights (OCM `getWeights` + `getPrioritizers`).
///
/// `Additive` (or unset) starts from Balance and Steady at weight 1 and lets configurations
/// override or add; `Exact` uses only the configurations. A later configuration of the same
/// coordinate overrides an earlier one; an unset weight is 1; weight 0 disables the prioritizer.
/// Order is deterministic: defaults first, then configurations in spec order.
/// Unknown built-ins and AddOn coordinates without `addOn` are skipped (`validate(at:)` rejects them).
struct ReferencePrioritizerPlan: Sendable {
    struct Entry: Sendable {
        let prioritizer: any ReferencePrioritizer
        let weight: Int
    }

    let entries: [Entry]

    init(_ policy: PrioritizerPolicy?) {
        var order: [Coordinate] = []
        var weights: [Coordinate: Int] = [:]
        func set(_ coordinate: Coordinate, _ weight: Int) {
            if weights.updateValue(weight, forKey: coordinate) == nil { order.append(coordinate) }
        }
        if (policy?.mode ?? .additive) == .additive {
            set(.builtIn(BuiltInPrioritizer.balance.rawValue), 1)
            set(.builtIn(BuiltInPrioritizer.steady.rawValue), 1)
        }
        for config in policy?.configurations ?? [] {
            guard let coordinate = Coordinate(config.scoreCoordinate) else { continue }
            set(coordinate, Int(config.weight ?? PrioritizerConfig.defaultWeight))
        }
        entries = order.compactMap { coordinate in
            guard let weight = weights[coordinate], weight != 0, let prioritizer = coordinate.prioritizer else {
                return nil
            }
            return Entry(prioritizer: prioritizer, weight: weight)
        }
    }

    /// A normalised `ScoreCoordinate` (OCM keys its weight map by the coordinate).
    enum Coordinate: Hashable, Sendable {
        case builtIn(String)
        case addOn(resourceName: String, scoreName: String)

        init?(_ coordinate: ScoreCoordinate) {
            switch coordinate.type {
            case ScoreCoordinate.builtInType, "":
                self = .builtIn(coordinate.builtIn ?? "")
            case ScoreCoordinate.addOnType:
                guard let addOn = coordinate.addOn else { return nil }
                self = .addOn(resourceName: addOn.resourceName, scoreName: addOn.scoreName)
            default:
                return nil
            }
        }

        var prioritizer: (any ReferencePrioritizer)? {
            switch self {
            case .builtIn(let name):
                switch BuiltInPrioritizer(rawValue: name) {
                case .balance: ReferenceBalancePrioritizer()
                case .steady: ReferenceSteadyPrioritizer()
                case .resourceAllocatableCPU: ReferenceResourceAllocatablePrioritizer(resource: .cpu)
                case .resourceAllocatableMemory: ReferenceResourceAllocatablePrioritizer(resource: .memory)
                case nil: nil
                }
            case .addOn(let resourceName, let scoreName):
                ReferenceAddOnPrioritizer(resourceName: resourceName, scoreName: scoreName)
            }
        }
    }
}
