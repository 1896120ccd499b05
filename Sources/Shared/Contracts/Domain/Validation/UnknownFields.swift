import Foundation
import Yams

/// Strict field validation, as kubectl's: every key of a document must be a field of the type
/// it was decoded into. One mechanism for every type: the decoded value is encoded again, and
/// a key the document has but the encoding lacks is a field no type asked for.
/// (Every Flotilla type encodes each field it decodes; a field set to null is not compared.)
public enum UnknownFields {
    /// The keys of `document` that `decoded` has no field for, each named by its full path.
    public static func problems(in document: Node, decoded: some Encodable) -> [FieldError] {
        guard let data = try? JSONCoding.encoder.encode(decoded), let known = try? JSONSerialization.jsonObject(with: data) else {
            return [FieldError(field: "document", problem: "cannot be checked for unknown fields")]
        }
        var errors: [FieldError] = []
        compare(document, with: known, at: "", into: &errors)
        return errors
    }

    private static func compare(_ node: Node, with known: Any, at path: String, into errors: inout [FieldError]) {
        switch node {
        case .mapping(let mapping):
            guard let fields = known as? [String: Any] else { return }
            for (keyNode, value) in mapping {
                guard let key = keyNode.string, value.null == nil else { continue }
                let child = FieldPath.child(path, key)
                guard let field = fields[key] else {
                    errors.append(FieldError(field: child, problem: "unknown field \"\(key)\""))
                    continue
                }
                compare(value, with: field, at: child, into: &errors)
            }
        case .sequence(let sequence):
            guard let items = known as? [Any] else { return }
            for (index, item) in sequence.enumerated() where index < items.count {
                compare(item, with: items[index], at: "\(path)[\(index)]", into: &errors)
            }
        case .scalar, .alias:
            return
        }
    }
}
