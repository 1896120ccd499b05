import Foundation
import Learning
import Testing
@testable import Registry
@testable import Shared

/// Properties of the registry over random histories (seeded, so a failure names its seed):
/// every fact it publishes changes the cluster (a republished unchanged cluster flooded the
/// log), and reading back its own facts, as they come off the log, publishes nothing.
@Suite struct ClusterRegistryPropertyTests {
    static let names = ["c1", "c2", "c3"]

    /// A fact as the registry reads it back: encoded into an event and decoded again.
    static func readBack(_ fact: ClusterRegistered) throws -> ClusterRegistered {
        try ClusterRegistered(from: fact.envelope(source: "flotilla/registry"))
    }

    struct Published {
        /// The last fact published for each registered cluster, as read back.
        var last: [String: ClusterRegistered] = [:]
        /// Every fact published since each cluster last (re)joined, as read back.
        var log: [String: [ClusterRegistered]] = [:]
    }

    @Test(arguments: Array(UInt64(0)..<40))
    func everyOutputChangesTheClusterAndOwnFactsReadBackChangeNothing(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        var registry = ClusterRegistry()
        var published = Published()
        // Random times with sub-millisecond parts, as `Date()` gives.
        var now = Date(timeIntervalSince1970: 1_700_000_000 + Double.random(in: 0..<1, using: &random))
        for step in 0..<300 {
            now = now.addingTimeInterval(Double.random(in: 0...2.5, using: &random))
            let name = Self.names.randomElement(using: &random)!
            let outputs: [ClusterRegistry.Output]
            var isRestore = false
            switch Int.random(in: 0..<7, using: &random) {
            case 0:
                let claims = ["data": ["/a", "/b"].randomElement(using: &random)!]
                outputs = registry.register(ClusterRegistryTests.request(name, claims: claims), now: now)
            case 1, 2:
                outputs = registry.heartbeat(ClusterHeartbeat(cluster: name), now: now)
            case 3:
                outputs = registry.expireLeases(now: now, leaseDuration: 2)
            case 4, 5:
                guard let fact = published.log[name]?.randomElement(using: &random) else { continue }
                isRestore = true
                outputs = registry.restore(fact, now: now)
            default:
                outputs = registry.deregister(ClusterDeregistrationRequested(cluster: name, reason: "bye"))
            }
            if isRestore {
                #expect(outputs.isEmpty, "seed \(seed) step \(step): reading back its own fact published \(outputs)")
            }
            for output in outputs {
                switch output {
                case .registered(let fact):
                    let back = try Self.readBack(fact)
                    if let last = published.last[back.cluster.name] {
                        #expect(back.cluster != last.cluster, "seed \(seed) step \(step): \(back.cluster.name) published unchanged")
                        #expect(back.generation > last.generation, "seed \(seed) step \(step)")
                    }
                    published.last[back.cluster.name] = back
                    published.log[back.cluster.name, default: []].append(back)
                case .deregistered(let fact):
                    #expect(published.last[fact.cluster] != nil, "seed \(seed) step \(step): deregistered an unknown cluster")
                    published.last[fact.cluster] = nil
                    published.log[fact.cluster] = nil
                case .rejected(let fact):
                    Issue.record("seed \(seed) step \(step): a valid registration was rejected: \(fact)")
                case .certificateIssued(let fact):
                    Issue.record("seed \(seed) step \(step): the state machine issued a certificate: \(fact)")
                }
            }
        }
    }

    @Test func aTaintReadBackEqualsTheOneKeptInMemory() throws {
        var registry = ClusterRegistry()
        let start = Date(timeIntervalSince1970: 1_700_000_000.123_456_7)
        _ = registry.register(ClusterRegistryTests.request(), now: start)
        let outputs = registry.expireLeases(now: start.addingTimeInterval(30.000_4), leaseDuration: 20)
        guard case .registered(let fact) = try #require(outputs.first) else { Issue.record("\(outputs)"); return }
        #expect(try Self.readBack(fact) == fact)
        #expect(registry.restore(try Self.readBack(fact), now: start.addingTimeInterval(31)).isEmpty)
    }
}
