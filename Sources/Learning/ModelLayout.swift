/// The names and shapes of a model's tensors, in canonical order: what two models must share
/// to be averaged, and what a job's initial model fixes for every round after it.
public struct ModelLayout: Codable, Sendable, Hashable, CustomStringConvertible {
    public struct Entry: Codable, Sendable, Hashable {
        public var name: String
        public var shape: [Int]

        public init(name: String, shape: [Int]) {
            self.name = name
            self.shape = shape
        }
    }

    public var tensors: [Entry]

    public init(tensors: [Entry]) { self.tensors = tensors }

    public init(_ parameters: ModelParameters) {
        tensors = parameters.tensors.map { Entry(name: $0.name, shape: $0.shape) }
    }

    public init(_ architecture: ModelArchitecture) {
        tensors = architecture.tensorLayout.map { Entry(name: $0.name, shape: $0.shape) }
    }

    /// Scalar parameters in all tensors (saturating, for a layout read from an untrusted file).
    public var parameterCount: Int {
        tensors.reduce(0) { total, entry in
            let count = entry.shape.reduce(1) { $0.multipliedReportingOverflow(by: max(0, $1)).overflow ? Int.max : $0 * max(0, $1) }
            let (sum, overflow) = total.addingReportingOverflow(count)
            return overflow ? Int.max : sum
        }
    }

    /// The first way `self` differs from `expected`, said so a person can fix it, or nil.
    public func difference(from expected: ModelLayout) -> String? {
        for (index, (found, wanted)) in zip(tensors, expected.tensors).enumerated() where found != wanted {
            return "tensor \(index) is '\(found.name)' \(found.shape), expected '\(wanted.name)' \(wanted.shape)"
        }
        guard tensors.count == expected.tensors.count else {
            return "it has \(tensors.count) tensors (\(names)), expected \(expected.tensors.count) (\(expected.names))"
        }
        return nil
    }

    private var names: String { tensors.prefix(8).map(\.name).joined(separator: ", ") + (tensors.count > 8 ? ", …" : "") }

    public var description: String {
        "\(tensors.count) tensors, \(parameterCount) parameters: " + tensors.prefix(8).map { "\($0.name) \($0.shape)" }.joined(separator: ", ") + (tensors.count > 8 ? ", …" : "")
    }
}
