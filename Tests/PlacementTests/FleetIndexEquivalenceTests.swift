import Foundation
import Testing
@testable import Placement
import Shared

/// The index path must decide exactly as the scheduler did before `FleetIndex` (kept as
/// `ReferenceScheduler`): same selection, condition, explanations and requeue time, on seeded
/// random fleets, specs and contexts, whichever way the index was built.
@Suite struct FleetIndexEquivalenceTests {
    @Test(arguments: 0..<8)
    func indexBuiltAtOnceDecidesAsTheReference(batch: UInt64) {
        var random = RandomPlacement(seed: 1000 + batch)
        for _ in 0..<60 {
            let fleet = random.fleet()
            let spec = random.spec()
            let context = random.context(for: fleet)
            let expected = ReferenceScheduler().schedule(spec, clusters: fleet, context: context)
            let actual = PlacementScheduler().schedule(spec, fleet: FleetIndex(fleet.shuffled(using: &random)), context: context)
            #expect(actual == expected, "spec \(spec), fleet \(fleet.map(\.name))")
        }
    }

    @Test(arguments: 0..<4)
    func arrayFormDecidesAsTheReferenceEvenWithRepeatedNames(batch: UInt64) {
        var random = RandomPlacement(seed: 2000 + batch)
        for _ in 0..<60 {
            let fleet = random.fleet(repeats: true)
            let spec = random.spec()
            let context = random.context(for: fleet)
            let expected = ReferenceScheduler().schedule(spec, clusters: fleet, context: context)
            #expect(PlacementScheduler().schedule(spec, clusters: fleet, context: context) == expected, "spec \(spec)")
        }
    }

    /// An index that lived through updates, removals and rejoins (as the coordinator's does)
    /// decides like one built from the final fleet.
    @Test(arguments: 0..<4)
    func indexMaintainedIncrementallyDecidesAsTheReference(batch: UInt64) {
        var random = RandomPlacement(seed: 3000 + batch)
        var index = FleetIndex()
        var current: [String: ManagedCluster] = [:]
        for _ in 0..<60 {
            for _ in 0..<random.int(1...20) {
                let name = random.name()
                if random.chance(25) {
                    #expect(index.remove(named: name) == current.removeValue(forKey: name))
                } else {
                    let cluster = random.cluster(named: name)
                    index.upsert(cluster)
                    current[name] = cluster
                }
            }
            let fleet = Array(current.values)
            let spec = random.spec()
            let context = random.context(for: fleet)
            let expected = ReferenceScheduler().schedule(spec, clusters: fleet, context: context)
            #expect(PlacementScheduler().schedule(spec, fleet: index, context: context) == expected, "spec \(spec)")
        }
    }
}

extension RandomPlacement: RandomNumberGenerator {}
