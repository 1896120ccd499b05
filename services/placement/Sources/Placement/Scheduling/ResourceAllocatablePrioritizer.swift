import Foundation
import Shared

/// OCM `ResourceAllocatableCPU` / `ResourceAllocatableMemory`: min-max normalisation of the
/// allocatable amount over the feasible clusters, `trunc(((x - min) / (max - min) - 0.5) * 2 * 100)`
/// (truncation toward zero, as Go's `int64(float64)`); 100 for everyone when all are equal.
/// CPU is compared in cores and memory in bytes, as OCM's `AsApproximateFloat64` does.
struct ResourceAllocatablePrioritizer: PlacementPrioritizer {
    enum Resource: Sendable {
        case cpu
        case memory
    }

    let resource: Resource

    var name: String {
        switch resource {
        case .cpu: BuiltInPrioritizer.resourceAllocatableCPU.rawValue
        case .memory: BuiltInPrioritizer.resourceAllocatableMemory.rawValue
        }
    }

    func scores(_ input: ScoringInput) -> [Int] {
        let column = switch resource {
        case .cpu: input.fleet.cpuCores
        case .memory: input.fleet.memoryBytes
        }
        let amounts = input.feasible.map { column[Int($0)] }
        guard let low = amounts.min(), let high = amounts.max() else { return [] }
        let range = high - low
        if range == 0 { return Array(repeating: Self.maxScore, count: amounts.count) }
        return amounts.map { value in
            let ratio = (value - low) / range
            return Int((ratio - 0.5) * 2.0 * 100.0)
        }
    }
}
