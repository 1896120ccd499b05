import Foundation

/// The CloudEvents `time` attribute as text, on the wire (`ce_time`) and in JSON payloads.
extension EventEnvelope {
    /// RFC 3339 in UTC with exactly three fractional digits. Times are kept at millisecond
    /// precision (see `EventEnvelope.init`), so a time survives the wire unchanged.
    package static func formatTime(_ date: Date) -> String {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded())
        let (seconds, fraction) = milliseconds.quotientAndRemainder(dividingBy: 1000)
        let whole = Date(timeIntervalSince1970: TimeInterval(fraction < 0 ? seconds - 1 : seconds))
        let text = whole.formatted(.iso8601)  // 2023-11-14T22:13:20Z
        return String(text.dropLast()) + String(format: ".%03dZ", fraction < 0 ? fraction + 1000 : fraction)
    }

    package static func parseTime(_ text: String) -> Date? {
        // Split off any fraction, parse the rest, and add the fraction as whole milliseconds.
        var base = text
        var milliseconds: Int64 = 0
        if let dot = text.firstIndex(of: "."), let zone = text[dot...].firstIndex(where: { $0 == "Z" || $0 == "+" || $0 == "-" }) {
            let digits = text[text.index(after: dot)..<zone]
            guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int64(String((digits + "00").prefix(3))) else { return nil }
            milliseconds = value
            base = String(text[..<dot] + text[zone...])
        }
        guard let date = try? Date(base, strategy: .iso8601) else { return nil }
        return Date(timeIntervalSince1970: TimeInterval(Int64(date.timeIntervalSince1970) * 1000 + milliseconds) / 1000)
    }
}
