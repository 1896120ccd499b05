import Foundation
import Learning
import Shared

/// What a trainer task wrote, read back and checked before anything leaves the cluster: a bad
/// update is never sent, it becomes the round's failure reason.
enum TrainerOutput {
    static let maximumMetricsBytes = 64 << 10
    static let maximumMetrics = 64
    /// Names a training loss may go by, the contract's first.
    static let lossNames = ["loss", "train-loss", "train_loss"]

    /// The metrics file: `num-examples` (an integer) and other finite numbers.
    struct Metrics: Sendable, Equatable {
        var examples: Int
        var values: [String: Double]

        var loss: Double? { TrainerOutput.lossNames.lazy.compactMap { values[$0] }.first }
    }

    static func metrics(at url: URL, task: TrainerTask.Kind) throws(TrainerFailure) -> Metrics {
        let data = try read(url, what: "metrics file", limit: maximumMetricsBytes)
        guard let object = try? JSONCoding.decoder.decode([String: MetricValue].self, from: data) else {
            throw TrainerFailure(reason: "the metrics file \(url.lastPathComponent) is not a JSON object")
        }
        guard object.count <= maximumMetrics else {
            throw TrainerFailure(reason: "the metrics file has \(object.count) entries; at most \(maximumMetrics)")
        }
        var values: [String: Double] = [:]
        for (name, value) in object.sorted(by: { $0.key < $1.key }) {
            if let problem = MetricName.problem(with: name) { throw TrainerFailure(reason: "metric \(TextFields.escaped(name)): \(problem)") }
            guard case .number(let number) = value else { throw TrainerFailure(reason: "metric \(name) is not a number") }
            guard number.isFinite else { throw TrainerFailure(reason: "metric \(name) is not finite") }
            values[name] = number
        }
        guard let examples = values.removeValue(forKey: "num-examples") else {
            throw TrainerFailure(reason: "the metrics file names no num-examples")
        }
        guard examples == examples.rounded(), examples >= 0, examples < 1e15 else {
            throw TrainerFailure(reason: "num-examples must be a non-negative integer, got \(examples)")
        }
        if task == .train && examples == 0 { throw TrainerFailure(reason: "num-examples is 0: a training task must learn from something") }
        return Metrics(examples: Int(examples), values: values)
    }

    /// The update: the global model's tensors exactly (names, shapes, F32), all finite.
    /// The file is mapped and decoded in one pass (the only copy), finiteness proved on the way.
    static func update(at url: URL, matching base: ModelParameters) throws(TrainerFailure) -> ModelParameters {
        let limit = base.byteCount + (1 << 20) + base.tensors.count * 256  // data, plus a generous header
        guard FileManager.default.fileExists(atPath: url.path) else { throw TrainerFailure(reason: "the trainer wrote no update (\(url.lastPathComponent))") }
        let decoded: DecodedModel
        do {
            decoded = try SafeTensorsFile.read(url, byteLimit: limit)
        } catch let error as SafeTensorsFile.FileError {
            throw TrainerFailure(reason: "the update \(error)")
        } catch {
            throw TrainerFailure(reason: "the update is not a valid safetensors file of F32 tensors: \(error)")
        }
        let parameters: ModelParameters
        let nonFinite: String?
        switch decoded.values {
        case .finite(let finite): (parameters, nonFinite) = (finite.parameters, nil)
        case .nonFinite(let values, let tensor): (parameters, nonFinite) = (values, tensor)
        }
        guard parameters.hasSameLayout(as: base) else {
            throw TrainerFailure(reason: "the update's tensors differ from the global model's: expected \(layout(base)), got \(layout(parameters))")
        }
        if let nonFinite { throw TrainerFailure(reason: "the update holds NaN or infinity in tensor \(nonFinite)") }
        return parameters
    }

    /// A metrics entry: a number, or anything else (refused by name).
    private enum MetricValue: Decodable {
        case number(Double)
        case other

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if (try? container.decode(Bool.self)) != nil {
                self = .other
            } else if let number = try? container.decode(Double.self) {
                self = .number(number)
            } else {
                self = .other
            }
        }
    }

    private static func layout(_ parameters: ModelParameters) -> String {
        let shown = parameters.tensors.prefix(8).map { "\($0.name)\($0.shape)" }.joined(separator: ", ")
        return parameters.tensors.count > 8 ? "\(shown), … (\(parameters.tensors.count) tensors)" : shown
    }

    private static func read(_ url: URL, what: String, limit: Int) throws(TrainerFailure) -> Data {
        guard FileManager.default.fileExists(atPath: url.path) else { throw TrainerFailure(reason: "the trainer wrote no \(what) (\(url.lastPathComponent))") }
        let size = TrainerProcess.fileSize(url)
        guard size <= limit else { throw TrainerFailure(reason: "the \(what) is \(size) bytes; at most \(limit) expected") }
        do {
            return try Data(contentsOf: url)
        } catch {
            throw TrainerFailure(reason: "cannot read the \(what): \(error)")
        }
    }
}
