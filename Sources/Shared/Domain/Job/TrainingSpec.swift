import Learning

/// Flotilla's extension of the job spec: which model the collaborators train and how.
/// Every field is optional; `resolved` fills the defaults that fit the MNIST demo.
public struct TrainingSpec: Codable, Sendable, Hashable {
    public enum Model: String, Codable, Sendable, Hashable, CaseIterable {
        case softmaxRegression, mlp
    }

    /// 64 Mi parameters: 256 MiB per model, which the aggregator holds once per update in flight.
    public static let maximumParameters = 1 << 26

    public var model: Model?
    public var hiddenUnits: Int?
    public var inputs: Int?
    public var classes: Int?
    public var epochs: Int?
    public var batchSize: Int?
    public var learningRate: Float?
    public var proximalMu: Float?
    public var seed: UInt64?

    public init(
        model: Model? = nil, hiddenUnits: Int? = nil, inputs: Int? = nil, classes: Int? = nil, epochs: Int? = nil,
        batchSize: Int? = nil, learningRate: Float? = nil, proximalMu: Float? = nil, seed: UInt64? = nil
    ) {
        self.model = model
        self.hiddenUnits = hiddenUnits
        self.inputs = inputs
        self.classes = classes
        self.epochs = epochs
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.proximalMu = proximalMu
        self.seed = seed
    }

    public var architecture: ModelArchitecture {
        let inputs = inputs ?? 784
        let classes = classes ?? 10
        switch model ?? .mlp {  // the MLP learns all ten digits from label-skewed shards; softmax plateaus near 0.85
        case .softmaxRegression: return .softmaxRegression(inputs: inputs, classes: classes)
        case .mlp: return .mlp(inputs: inputs, hidden: hiddenUnits ?? 64, classes: classes)
        }
    }

    public var configuration: TrainingConfiguration {
        let defaults = TrainingConfiguration.default
        return TrainingConfiguration(
            epochs: epochs ?? defaults.epochs,
            batchSize: batchSize ?? defaults.batchSize,
            learningRate: learningRate ?? defaults.learningRate,
            proximalMu: proximalMu ?? defaults.proximalMu,
            seed: seed ?? defaults.seed
        )
    }

    func validate(at path: String) -> [FieldError] {
        var errors: [FieldError] = []
        func positive<T: Comparable & Numeric>(_ value: T?, _ name: String, max: T) {
            guard let value else { return }
            if value <= 0 || value > max { errors.append(FieldError(field: "\(path).\(name)", problem: "must be in 1...\(max), got \(value)")) }
        }
        positive(hiddenUnits, "hiddenUnits", max: 65_536)
        positive(inputs, "inputs", max: 1 << 24)
        positive(classes, "classes", max: 65_536)
        positive(epochs, "epochs", max: 1_000)
        positive(batchSize, "batchSize", max: 1 << 20)
        if let learningRate, !(learningRate > 0 && learningRate <= 10) {
            errors.append(FieldError(field: "\(path).learningRate", problem: "must be in (0, 10], got \(learningRate)"))
        }
        if let proximalMu, !(proximalMu >= 0 && proximalMu <= 100) {
            errors.append(FieldError(field: "\(path).proximalMu", problem: "must be in [0, 100], got \(proximalMu)"))
        }
        guard errors.isEmpty else { return errors }
        // Each size may be in range while the model they make is not (every service holds it).
        do throws(ModelError) {
            try architecture.validateDimensions()
            if architecture.parameterCount > Self.maximumParameters {
                errors.append(FieldError(field: path, problem: "the model would have \(architecture.parameterCount) parameters; at most \(Self.maximumParameters) (256 MiB) are allowed"))
            }
        } catch {
            errors.append(FieldError(field: path, problem: "\(error)"))
        }
        return errors
    }
}
