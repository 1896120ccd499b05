import Foundation
@testable import Placement
import Shared

/// OCM `ResourceAllocatableCPU` / `ResourceAllocatableMemory`: min-max normalisation of the
/// allocatable amount over the feasible clusters, `trunc(((x - min) / (max - min) - 0.5) * 2 * 100)`
/// (truncation toward zero, as Go's `int64(float64)`); 100 for everyone when all are equal.
/// CPU is compared in cores and memory in bytes, as OCM's `AsApproximateFloat64` does.
struct ReferenceResourceAllocatablePrioritizer: ReferencePrioritizer {
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

    func scores(clusters: [ManagedCluster], feasible: [Int], context: SchedulingContext) -> [Int] {
        let amounts = feasible.map { amount(of: clusters[$0].resources) }
        guard let low = amounts.min(), let high = amounts.max() else { return [] }
        let range = high - low
        if range == 0 { return Array(repeating: Self.maxScore, count: amounts.count) }
        return amounts.map { value in
            let ratio = (value - low) / range
            return Int((ratio - 0.5) * 2.0 * 100.0)
        }
    }

    private func amount(of resources: ClusterResources) -> Double {
        switch resource {
        case .cpu: Double(resources.cpuMillicores) / 1000
        case .memory: Double(resources.memoryBytes)
        }
    }
}
