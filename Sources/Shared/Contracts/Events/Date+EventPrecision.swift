import Foundation

extension Date {
    /// This time at the precision events carry on the wire (whole milliseconds, RFC 3339 with
    /// three fractional digits). Every time that enters an event is cut to it at the source, so
    /// a fact read back from the log equals the one kept in memory.
    public var eventPrecision: Date {
        Date(timeIntervalSince1970: TimeInterval(Int64((timeIntervalSince1970 * 1000).rounded())) / 1000)
    }

    /// Now, at event precision.
    public static var eventNow: Date { Date().eventPrecision }
}
