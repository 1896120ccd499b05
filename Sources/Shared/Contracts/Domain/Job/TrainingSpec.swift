import Learning

/// Flotilla's extension of the job spec: which model the collaborators train and how.
/// Every field is optional; `resolved` fills the defaults that fit the MNIST demo.
public struct TrainingSpec: Codable, Sendable, Hashable {
    public enum Model: String, Codable, Sendable, Hashable, CaseIterable {
        case softmaxRegression, mlp
    }

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
        func positive(_ value: Int?, _ name: String, max: Int) {
            guard let value else { return }
            if value <= 0 || value > max { errors.append(FieldError(field: "\(path).\(name)", problem: "must be in 1...\(max), got \(value)")) }
        }
        positive(hiddenUnits, "hiddenUnits", max: 65_536)
        positive(inputs, "inputs", max: 1 << 24)
        positive(classes, "classes", max: 65_536)
        guard errors.isEmpty else { return errors }
        // The rest are judged on the settings as resolved, with the rules a collaborator applies.
        return TrainingLimits.problems(architecture: architecture, configuration: configuration).map {
            FieldError(field: $0.field.isEmpty ? path : "\(path).\($0.field)", problem: $0.problem)
        }
    }
}
