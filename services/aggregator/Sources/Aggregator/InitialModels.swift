import Learning
import Logging
import Shared

/// Reads the models jobs name in `spec.server.initialModel` from the hub's `flotilla.blobs`
/// (where `PUT /v1/blobs` put them before the job was accepted) and checks each one.
struct InitialModels: Sendable {
    let blobs: any BlobSource

    /// For each job that names an initial model: the model, or why it cannot start the job.
    /// Throws only when the blobs cannot be read (a passing fault, retried by the caller).
    func load(for jobs: [FederatedLearningJob]) async throws -> [String: Result<ModelParameters, InitialModelError>] {
        let wanted = jobs.filter { $0.spec.server.initialModel != nil }
        let blobs = try await blobs.fetch(Set(wanted.compactMap(\.spec.server.initialModel)))
        var models: [String: Result<ModelParameters, InitialModelError>] = [:]
        for job in wanted {
            guard let digest = job.spec.server.initialModel, let bytes = blobs[digest] else {
                models[job.id] = .failure(InitialModelError("\(job.spec.server.initialModel ?? "") is not on the hub (flotilla submit --initial-model FILE uploads it)"))
                continue
            }
            models[job.id] = Result { () throws(InitialModelError) in try InitialModel.decode(bytes, for: job) }
        }
        return models
    }
}
