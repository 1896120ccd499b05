import Foundation

/// OCM's `FederatedLearning` resource (federation-ai.open-cluster-management.io/v1alpha1),
/// field for field, so OCM's own documents are accepted as they are. Flotilla's extensions
/// are optional and live in `spec.training`.
public struct FederatedLearningJob: Codable, Sendable, Hashable {
    public static let apiVersion = "federation-ai.open-cluster-management.io/v1alpha1"
    public static let kind = "FederatedLearning"

    public var apiVersion: String
    public var kind: String
    public var metadata: ObjectMeta
    public var spec: FederatedLearningSpec

    /// The job's id: its name, which is also the Kafka key of all its events.
    public var id: String { metadata.name }

    public init(apiVersion: String = Self.apiVersion, kind: String = Self.kind, metadata: ObjectMeta, spec: FederatedLearningSpec) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.metadata = metadata
        self.spec = spec
    }
}

public struct ObjectMeta: Codable, Sendable, Hashable {
    public var name: String
    public var namespace: String?
    public var labels: [String: String]?
    public var annotations: [String: String]?

    public init(name: String, namespace: String? = nil, labels: [String: String]? = nil, annotations: [String: String]? = nil) {
        self.name = name
        self.namespace = namespace
        self.labels = labels
        self.annotations = annotations
    }
}

public struct FederatedLearningSpec: Codable, Sendable, Hashable {
    public var framework: Framework
    public var server: ServerSpec
    public var client: ClientSpec
    /// Flotilla extension: the model and local training settings (defaults fit MNIST).
    public var training: TrainingSpec?
    /// Flotilla extension: round deadline, k of n, late updates, quorum policy.
    public var aggregation: RoundPolicy?
    /// Flotilla extension: federated evaluation of the global model on the participants' data.
    public var evaluation: EvaluationSpec?

    public init(
        framework: Framework = .flower, server: ServerSpec, client: ClientSpec, training: TrainingSpec? = nil, aggregation: RoundPolicy? = nil,
        evaluation: EvaluationSpec? = nil
    ) {
        self.evaluation = evaluation
        self.framework = framework
        self.server = server
        self.client = client
        self.training = training
        self.aggregation = aggregation
    }
}

public enum Framework: String, Codable, Sendable, Hashable, CaseIterable {
    case flower, openfl, other
}

public struct ServerSpec: Codable, Sendable, Hashable {
    public var image: String?
    public var rounds: Int
    public var minAvailableClients: Int
    public var listeners: [Listener]?
    public var storage: StorageSpec
    /// Flotilla extension: fail the job if placement has not found `minAvailableClients`
    /// clusters within this many seconds (OCM waits forever; so does Flotilla when unset).
    public var waitTimeoutSeconds: Int?
    /// Flotilla extension: `sha256:<hex>` of a safetensors model uploaded to the hub
    /// (`flotilla submit --initial-model FILE`), the global model round 1 starts from. Without
    /// it, round 1 starts from `spec.training`'s built-in model (see ``InitialModel``).
    public var initialModel: String?

    public init(
        image: String? = nil, rounds: Int, minAvailableClients: Int, listeners: [Listener]? = nil, storage: StorageSpec, waitTimeoutSeconds: Int? = nil,
        initialModel: String? = nil
    ) {
        self.initialModel = initialModel
        self.image = image
        self.rounds = rounds
        self.minAvailableClients = minAvailableClients
        self.listeners = listeners
        self.storage = storage
        self.waitTimeoutSeconds = waitTimeoutSeconds
    }
}

public struct Listener: Codable, Sendable, Hashable {
    public var name: String?
    public var port: Int?
    public var type: String?
    public var ip: String?
}

public struct StorageSpec: Codable, Sendable, Hashable {
    public var type: String?
    public var name: String?
    /// The model directory; global models go to `<path>/<job>/round-NNNN.safetensors`.
    public var path: String
    public var size: String?

    public init(type: String? = nil, name: String? = nil, path: String, size: String? = nil) {
        self.type = type
        self.name = name
        self.path = path
        self.size = size
    }
}

public struct ClientSpec: Codable, Sendable, Hashable {
    public var image: String?
    public var placement: PlacementSpec
    /// Flotilla extension: the program the collaborators run (nil: the built-in trainer).
    public var trainer: TrainerSpec?

    public init(image: String? = nil, placement: PlacementSpec, trainer: TrainerSpec? = nil) {
        self.image = image
        self.placement = placement
        self.trainer = trainer
    }
}
