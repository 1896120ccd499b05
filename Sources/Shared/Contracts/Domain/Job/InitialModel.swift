import Learning

/// The global model a job's round 1 starts from: the safetensors file `spec.server.initialModel`
/// names (uploaded to the hub), or else `spec.training`'s built-in model with its seed.
///
/// A job's own trainer defines its own model, so it must say where round 1 starts: an uploaded
/// model, or a built-in one named in `spec.training.model`. The built-in trainer trains only
/// `spec.training`'s model, so an uploaded model must have exactly that layout for it.
public enum InitialModel {
    static let field = "spec.server.initialModel"

    /// The front door's rules, applied again by every consumer of the job.
    public static func problems(of job: FederatedLearningJob) -> [FieldError] {
        if let digest = job.spec.server.initialModel {
            guard AppArchive.isDigest(digest) else {
                return [FieldError(
                    field: field,
                    problem: "must be sha256: and 64 lowercase hex digits (flotilla submit --initial-model FILE fills it in), got '\(TextFields.escaped(String(digest.prefix(80))))'"
                )]
            }
            return []
        }
        guard job.ownTrainer != nil, job.spec.training?.model == nil else { return [] }
        return [FieldError(
            field: field,
            problem: "is missing: the job's own trainer (spec.client.trainer) defines its model, so name the model round 1 starts from "
                + "(flotilla submit --initial-model FILE.safetensors uploads one; for a Flower app, flotilla submit --app takes the initial_arrays of its ServerApp), "
                + "or name a built-in model in spec.training.model to start from that"
        )]
    }

    /// An uploaded initial model read back: float32 safetensors, at least one tensor, every
    /// value finite, a layout the job's trainer can train.
    public static func decode(_ bytes: [UInt8], for job: FederatedLearningJob) throws(InitialModelError) -> ModelParameters {
        let digest = job.spec.server.initialModel ?? "the initial model"
        let parameters: ModelParameters
        do {
            parameters = try model(in: bytes)
        } catch {
            throw InitialModelError("\(digest) \(error.reason)")
        }
        if let problem = problem(with: ModelLayout(parameters), for: job) { throw InitialModelError("\(digest): \(problem)") }
        return parameters
    }

    /// The model a blob holds, if it is one a job can start from: float32 safetensors, at least
    /// one tensor, every value finite. The error completes a sentence whose subject is the blob.
    public static func model(in bytes: [UInt8]) throws(InitialModelError) -> ModelParameters {
        let decoded: DecodedModel
        do {
            decoded = try SafeTensors.decodeChecked(bytes)
        } catch {
            throw InitialModelError("is not a float32 safetensors model: \(error)")
        }
        switch decoded.values {
        case .finite(let finite):
            guard !finite.parameters.tensors.isEmpty else { throw InitialModelError("holds no tensor") }
            return finite.parameters
        case .nonFinite(_, let tensor):
            throw InitialModelError("holds NaN or infinity in tensor '\(tensor)'")
        }
    }

    /// Why a model of `layout` cannot start `job`, or nil.
    public static func problem(with layout: ModelLayout, for job: FederatedLearningJob) -> String? {
        guard !layout.tensors.isEmpty else { return "the model holds no tensor" }
        // An own trainer defines its model; the round aggregator holds every update to its layout.
        guard job.ownTrainer == nil else { return nil }
        let builtIn = ModelLayout((job.spec.training ?? TrainingSpec()).architecture)
        return layout.difference(from: builtIn).map { "the built-in trainer trains spec.training's model, and this one differs: \($0)" }
    }
}

public struct InitialModelError: Error, Sendable, Hashable, CustomStringConvertible {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}
