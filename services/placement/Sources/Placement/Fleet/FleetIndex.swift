import Foundation
import Shared

/// The fleet as the scheduler reads it: labels, claims, add-on scores, resources and taints in
/// contiguous columns, label and claim keys and values interned to integers.
///
/// Why: scheduling over `[ManagedCluster]` spent most of its time in `[String: String]` lookups
/// on cold memory (a heap object per dictionary, strings compared byte by byte, every key and
/// value retained while scanning). Here a cluster's labels and claims are a few packed integers
/// and a selector, compiled against the index once per decision, compares integers.
///
/// `PlacementCoordinator` keeps one and updates it per fleet event: `upsert` and `remove` cost
/// O(labels + claims + scores + log n), plus a 4-byte-per-cluster move of the name order when a
/// name joins or leaves. Pool space and interned strings left behind by updates are reclaimed
/// by a rebuild once they outnumber the live entries, so its O(n) is spread over as many updates.
public struct FleetIndex: Sendable {
    /// A run of entries in one of the pools.
    struct PoolRange: Sendable {
        static let empty = PoolRange(start: 0, count: 0)
        var start: Int32
        var count: Int32
    }

    struct ScoreEntry: Sendable {
        var key: Int32
        var value: Int
    }

    // Columns, one element per slot (a cluster's row; freed slots are reused).
    private(set) var clusters: [ManagedCluster?] = []
    private(set) var names: [String] = []
    private(set) var attributeRanges: [PoolRange] = []
    private(set) var scoreRanges: [PoolRange] = []
    /// As `ResourceAllocatableCPU` compares them: cores, and bytes, as `Double`.
    private(set) var cpuCores: [Double] = []
    private(set) var memoryBytes: [Double] = []
    private(set) var taints: [[Taint]] = []

    /// Labels and claims as `taggedKey << 32 | valueID`, sorted within each cluster's run.
    private(set) var attributes: [UInt64] = []
    /// Add-on scores by interned key, sorted within each cluster's run.
    private(set) var scores: [ScoreEntry] = []
    /// Occupied slots in name order (`String <`): the order of explanations and of tie-breaks.
    private(set) var order: [Int32] = []
    private(set) var slotByName: [String: Int32] = [:]
    /// True only for a snapshot of an array that repeats names (see `init(snapshot:)`).
    private(set) var hasDuplicateNames = false
    private(set) var keys = StringInterner()
    private(set) var values = StringInterner()
    private var freeSlots: [Int32] = []
    /// Pool entries no cluster refers to any more.
    private var garbage = 0

    public init() {}

    /// An index of `clusters`; of two clusters with one name the later wins, as with upserts.
    public init(_ clusters: [ManagedCluster]) {
        self.init(building: clusters, keepingDuplicates: false)
    }

    /// For `PlacementScheduler.schedule(_:clusters:context:)`, which has always reported every
    /// array entry, repeated names included. Meant to be scheduled, not updated.
    init(snapshot clusters: [ManagedCluster]) {
        self.init(building: clusters, keepingDuplicates: true)
    }

    private init(building input: [ManagedCluster], keepingDuplicates: Bool) {
        // Appending in name order makes `order` the identity and the pools name-ordered,
        // so a decision reads them front to back.
        for index in NameOrder.indices(of: input.map(\.name)) {
            let cluster = input[index]
            if let slot = slotByName[cluster.name] {
                // Equal names are adjacent, in input order: the last wins, as successive upserts would.
                guard keepingDuplicates else { write(cluster, to: Int(slot)); continue }
                hasDuplicateNames = true
            }
            let slot = appendSlot()
            if slotByName[cluster.name] == nil { slotByName[cluster.name] = Int32(slot) }
            order.append(Int32(slot))
            write(cluster, to: slot)
        }
    }

    /// Adds a cluster, or replaces the one with its name.
    public mutating func upsert(_ cluster: ManagedCluster) {
        if let slot = slotByName[cluster.name] {
            write(cluster, to: Int(slot))
        } else {
            let slot = appendSlot()
            slotByName[cluster.name] = Int32(slot)
            order.insert(Int32(slot), at: orderPosition(of: cluster.name))
            write(cluster, to: slot)
        }
        rebuildIfWasteful()
    }

    /// Removes the cluster with this name; returns it, or nil if there was none.
    @discardableResult
    public mutating func remove(named name: String) -> ManagedCluster? {
        guard let slot = slotByName.removeValue(forKey: name) else { return nil }
        let row = Int(slot)
        order.remove(at: orderPosition(of: name))
        let removed = clusters[row]
        garbage += Int(attributeRanges[row].count + scoreRanges[row].count)
        (attributeRanges[row], scoreRanges[row], taints[row], names[row], clusters[row]) = (.empty, .empty, [], "", nil)
        freeSlots.append(slot)
        rebuildIfWasteful()
        return removed
    }

    private mutating func write(_ cluster: ManagedCluster, to slot: Int) {
        var packed: [UInt64] = []
        packed.reserveCapacity(cluster.labels.count + cluster.claims.count)
        for (key, value) in cluster.labels {
            packed.append(Self.pack(key: UInt32(keys.intern(key)), value: values.intern(value)))
        }
        for (key, value) in cluster.claims {
            packed.append(Self.pack(key: UInt32(keys.intern(key)) | Self.claimTag, value: values.intern(value)))
        }
        packed.sort()
        attributeRanges[slot] = Self.store(packed, replacing: attributeRanges[slot], in: &attributes, garbage: &garbage)
        var scored = cluster.scores.map { ScoreEntry(key: keys.intern($0.key), value: $0.value) }
        scored.sort { $0.key < $1.key }
        scoreRanges[slot] = Self.store(scored, replacing: scoreRanges[slot], in: &scores, garbage: &garbage)
        cpuCores[slot] = Double(cluster.resources.cpuMillicores) / 1000
        memoryBytes[slot] = Double(cluster.resources.memoryBytes)
        taints[slot] = cluster.taints
        names[slot] = cluster.name
        clusters[slot] = cluster
    }

    /// Overwrites the old run when the new one fits (an update that keeps its label count
    /// leaves no garbage); otherwise appends.
    private static func store<Element>(
        _ elements: [Element], replacing old: PoolRange, in pool: inout [Element], garbage: inout Int
    ) -> PoolRange {
        let count = Int32(elements.count)
        guard count > old.count else {
            let start = Int(old.start)
            pool.replaceSubrange(start..<start + elements.count, with: elements)
            garbage += Int(old.count - count)
            return PoolRange(start: old.start, count: count)
        }
        garbage += Int(old.count)
        let start = Int32(pool.count)
        pool.append(contentsOf: elements)
        return PoolRange(start: start, count: count)
    }

    private mutating func appendSlot() -> Int {
        if let free = freeSlots.popLast() { return Int(free) }
        clusters.append(nil)
        names.append("")
        attributeRanges.append(.empty)
        scoreRanges.append(.empty)
        cpuCores.append(0)
        memoryBytes.append(0)
        taints.append([])
        return clusters.count - 1
    }

    /// The first position in `order` whose name is not below `name`.
    private func orderPosition(of name: String) -> Int {
        var low = 0
        var high = order.count
        while low < high {
            let middle = (low + high) / 2
            if names[Int(order[middle])] < name { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// Rebuilds from the live clusters once dead pool entries, interned strings or free slots
    /// outnumber the live ones by more than a slack, so memory stays proportional to the fleet.
    private mutating func rebuildIfWasteful() {
        let live = attributes.count + scores.count - garbage
        let slack = 4096
        guard garbage > live + slack || keys.count + values.count > 2 * live + slack || freeSlots.count > order.count + slack
        else { return }
        self = FleetIndex(building: order.compactMap { clusters[Int($0)] }, keepingDuplicates: false)
    }
}
