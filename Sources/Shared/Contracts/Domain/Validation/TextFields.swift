import Foundation

/// Finds control characters in every text of a document: field values, list items and map
/// keys alike, so a field added later is covered without a line here. PostgreSQL refuses a
/// NUL in `text` and `jsonb` (SQLSTATE 22021), and no field of a job or registration needs
/// any C0 control character other than tab, line feed and carriage return.
public enum TextFields {
    /// nil when `text` is acceptable, otherwise what is wrong with it.
    public static func problem(with text: String) -> String? {
        guard let scalar = text.unicodeScalars.first(where: isRefused) else { return nil }
        let code = String(scalar.value, radix: 16, uppercase: true)
        let name = scalar.value == 0 ? "NUL" : "control character"
        return "must not contain \(name) U+\(String(repeating: "0", count: max(0, 4 - code.count)))\(code)"
    }

    /// `text` with each refused character written as `\u{hex}`.
    public static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isRefused) else { return text }
        return text.unicodeScalars.map { isRefused($0) ? "\\u{\(String($0.value, radix: 16))}" : String($0) }.joined()
    }

    static func isRefused(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A, 0x0D: false
        case 0x00...0x1F, 0x7F: true
        default: false
        }
    }

    /// Every text of `value` (encoded as events are) that holds a refused character, named by
    /// its path under `root`, e.g. `spec.client.image` or `metadata.labels[team]`.
    public static func problems(in value: some Encodable, at root: String = "") -> [FieldError] {
        guard let data = try? JSONCoding.encoder.encode(value), let tree = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else {
            return [FieldError(field: root.isEmpty ? "document" : root, problem: "cannot be encoded")]
        }
        var errors: [FieldError] = []
        walk(tree, at: root, into: &errors)
        return errors
    }

    private static func walk(_ node: Any, at path: String, into errors: inout [FieldError]) {
        switch node {
        case let text as String:
            if let problem = problem(with: text) { errors.append(FieldError(field: path.isEmpty ? "document" : path, problem: problem)) }
        case let list as [Any]:
            for (index, item) in list.enumerated() { walk(item, at: "\(path)[\(index)]", into: &errors) }
        case let map as [String: Any]:
            for key in map.keys.sorted() {
                let child = FieldPath.child(path, key)
                if let problem = problem(with: key) { errors.append(FieldError(field: child, problem: "key \(problem)")) }
                if let value = map[key] { walk(value, at: child, into: &errors) }
            }
        default:
            return
        }
    }
}

/// Field paths as the errors spell them: `a.b[0].c`, and `a[key]` for a key that is not a
/// plain identifier (a label such as `team.example.com/name`).
public enum FieldPath {
    public static func child(_ parent: String, _ key: String) -> String {
        let plain = !key.isEmpty && key.unicodeScalars.allSatisfy { ($0.properties.isAlphabetic && $0.isASCII) || ("0"..."9").contains($0) || $0 == "_" }
        if plain { return parent.isEmpty ? key : "\(parent).\(key)" }
        return "\(parent)[\(TextFields.escaped(key))]"
    }
}
