import Foundation

/// Dense `Int32` ids for strings, so the scheduler compares integers where it compared strings.
///
/// Two strings get the same id exactly when they are `==` (canonical equivalence, which is
/// also what `Dictionary<String, _>` and `Set<String>` use), so matching ids gives the same
/// answers as the dictionary lookups it replaces. Ids are never reused; `FleetIndex` rebuilds
/// its interners when too many of them belong to strings no cluster holds any more.
struct StringInterner: Sendable {
    private var ids: [String: Int32] = [:]

    var count: Int { ids.count }

    mutating func intern(_ string: String) -> Int32 {
        if let id = ids[string] { return id }
        let id = Int32(ids.count)
        ids[string] = id
        return id
    }

    /// The id of a string some cluster held at some point; nil when none ever did.
    func id(of string: String) -> Int32? { ids[string] }
}
