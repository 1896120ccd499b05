import Foundation

/// A Kubernetes resource quantity (`500m`, `2`, `1.5`, `8Gi`, `512Mi`, `1e3`, `2k`): a signed
/// decimal number with a binary-SI (`Ki`…`Ei`), decimal-SI (`n`, `u`, `m`, `k`, `M`, `G`, `T`,
/// `P`, `E`) or exponent (`e3`, `E-2`) suffix, kept exact as a `Decimal`.
public struct ResourceQuantity: Sendable, Hashable, CustomStringConvertible {
    /// The amount in base units (cores, bytes).
    public let value: Decimal
    public let description: String

    public init?(_ text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let split = Self.numberEnd(trimmed) else { return nil }
        let number = String(trimmed[..<split]), suffix = String(trimmed[split...])
        guard let mantissa = Decimal(string: number, locale: Locale(identifier: "en_US_POSIX")), let factor = Self.factor(of: suffix) else { return nil }
        value = mantissa * factor
        description = text
    }

    /// Whole base units, rounded up as Kubernetes does; nil when negative or beyond Int64.
    public var units: Int64? { Self.roundedUp(value) }

    /// Thousandths of the base unit (millicores), rounded up; nil when negative or beyond Int64.
    public var milliUnits: Int64? { Self.roundedUp(value * 1000) }

    private static func roundedUp(_ amount: Decimal) -> Int64? {
        guard amount >= 0, amount <= Decimal(Int64.max) else { return nil }
        var source = amount, rounded = Decimal()
        NSDecimalRound(&rounded, &source, 0, .up)
        guard rounded <= Decimal(Int64.max) else { return nil }
        return NSDecimalNumber(decimal: rounded).int64Value
    }

    /// Where the signed number (`[+-]digits[.digits]`, at least one digit) ends.
    private static func numberEnd(_ text: String) -> String.Index? {
        var index = text.startIndex
        if index < text.endIndex, text[index] == "+" || text[index] == "-" { index = text.index(after: index) }
        var digits = 0, dots = 0
        while index < text.endIndex, text[index].isASCII, text[index].isNumber || text[index] == "." {
            if text[index] == "." { dots += 1 } else { digits += 1 }
            index = text.index(after: index)
        }
        return digits > 0 && dots <= 1 ? index : nil
    }

    private static let binary: [String: Int] = ["Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60]
    private static let decimal: [String: Int] = ["n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18]

    private static func factor(of suffix: String) -> Decimal? {
        if let power = binary[suffix] { return pow(Decimal(2), power) }
        if let exponent = decimal[suffix] { return pow10(exponent) }
        guard let first = suffix.first, first == "e" || first == "E" else { return nil }
        let rest = suffix.dropFirst()
        let digits = rest.first == "+" || rest.first == "-" ? rest.dropFirst() : rest
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let exponent = Int(rest), (-100...100).contains(exponent) else { return nil }
        return pow10(exponent)
    }

    private static func pow10(_ exponent: Int) -> Decimal {
        exponent >= 0 ? pow(Decimal(10), exponent) : 1 / pow(Decimal(10), -exponent)
    }
}
