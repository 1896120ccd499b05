import Foundation

/// A string enum whose decoding failure names the value it got and every value it accepts,
/// so a typo in a YAML document (`operator: Exist`) produces a readable error.
public protocol ClosedStringEnum: RawRepresentable, CaseIterable, Codable, Sendable, Hashable
where RawValue == String {}

extension ClosedStringEnum {
    /// The accepted spellings, in declaration order.
    public static var allowedValues: [String] { allCases.map(\.rawValue) }

    /// Decodes `Self` from a single string, listing the allowed values when it does not match.
    public static func decodeStrictly(from decoder: any Decoder) throws -> Self {
        let container = try decoder.singleValueContainer()
        let raw = try container.decode(String.self)
        guard let value = Self(rawValue: raw) else {
            let allowed = allowedValues.joined(separator: ", ")
            throw DecodingError.dataCorruptedError(
                in: container,
                debugDescription: "unsupported value \"\(raw)\" for \(Self.self); allowed values: \(allowed)"
            )
        }
        return value
    }
}
