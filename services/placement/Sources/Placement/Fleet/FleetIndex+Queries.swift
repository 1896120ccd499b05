import Foundation
import Shared

extension FleetIndex {
    /// Set on claim keys in `attributes`, so a label and a claim with the same key stay apart.
    static let claimTag: UInt32 = 1 << 31
    /// A key no cluster holds: it matches no entry.
    static let absentKey = UInt32.max

    static func pack(key: UInt32, value: Int32) -> UInt64 {
        UInt64(key) << 32 | UInt64(UInt32(bitPattern: value))
    }

    public var count: Int { order.count }
    public var isEmpty: Bool { order.isEmpty }

    public subscript(name: String) -> ManagedCluster? {
        slotByName[name].flatMap { clusters[Int($0)] }
    }

    /// Every cluster, in name order.
    public var sortedClusters: [ManagedCluster] { order.compactMap { clusters[Int($0)] } }

    // Compiling a spec: strings to ids. A string no cluster ever held gets an id nothing matches.

    func labelKey(_ key: String) -> UInt32 { keys.id(of: key).map { UInt32($0) } ?? Self.absentKey }
    func claimKey(_ key: String) -> UInt32 { keys.id(of: key).map { UInt32($0) | Self.claimTag } ?? Self.absentKey }
    func valueID(_ value: String) -> Int32? { values.id(of: value) }
    func scoreKey(_ key: String) -> Int32 { keys.id(of: key) ?? -1 }

    /// Per slot: is the cluster's name in `wanted`? Looks up the smaller side, so a decision
    /// costs O(|wanted|) hash lookups rather than one per cluster.
    func slotFlags(forNames wanted: Set<String>) -> [Bool] {
        var flags = [Bool](repeating: false, count: names.count)
        if wanted.isEmpty { return flags }
        if hasDuplicateNames || wanted.count > order.count {
            for slot in order where wanted.contains(names[Int(slot)]) { flags[Int(slot)] = true }
        } else {
            for name in wanted { if let slot = slotByName[name] { flags[Int(slot)] = true } }
        }
        return flags
    }

    /// Per slot: the count `counts` gives the cluster's name, 0 when absent.
    func slotCounts(from counts: [String: Int]) -> [Int] {
        var bySlot = [Int](repeating: 0, count: names.count)
        if counts.isEmpty { return bySlot }
        if hasDuplicateNames || counts.count > order.count {
            for slot in order { bySlot[Int(slot)] = counts[names[Int(slot)]] ?? 0 }
        } else {
            for (name, count) in counts { if let slot = slotByName[name] { bySlot[Int(slot)] = count } }
        }
        return bySlot
    }
}

/// One cluster's packed labels and claims, read in place. Only valid inside the
/// `withUnsafeBufferPointer` over `FleetIndex.attributes` that made it: it exists so the filter
/// loop touches no reference counts.
struct AttributeView {
    let entries: UnsafeBufferPointer<UInt64>

    @inline(__always)
    init(_ pool: UnsafeBufferPointer<UInt64>, _ range: FleetIndex.PoolRange) {
        entries = UnsafeBufferPointer(rebasing: pool[Int(range.start)..<Int(range.start) + Int(range.count)])
    }

    /// The value id under a tagged key; entries are sorted, so the scan stops past it.
    @inline(__always)
    func value(of key: UInt32) -> Int32? {
        for entry in entries {
            let entryKey = UInt32(truncatingIfNeeded: entry >> 32)
            if entryKey == key { return Int32(bitPattern: UInt32(truncatingIfNeeded: entry)) }
            if entryKey > key { return nil }
        }
        return nil
    }
}

extension FleetIndex.ScoreEntry {
    /// The score under `key` in one cluster's sorted run.
    @inline(__always)
    static func lookup(_ key: Int32, in entries: UnsafeBufferPointer<Self>) -> Int? {
        for entry in entries {
            if entry.key == key { return entry.value }
            if entry.key > key { return nil }
        }
        return nil
    }
}
