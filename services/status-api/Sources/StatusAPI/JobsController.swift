import Foundation
import Hummingbird
import Shared

/// `/v1/jobs`: submit a `FederatedLearning` document, list jobs, and read one job's
/// lifecycle, rounds and placement decision.
struct JobsController<Context: RequestContext>: Sendable {
    let readModel: any StatusReadModel
    let publisher: any SubmissionPublisher

    func add(to group: RouterGroup<Context>) {
        group.post(use: submit)
        group.get(use: list)
        group.get(":id", use: show)
        group.get(":id/rounds", use: rounds)
        group.get(":id/placement", use: placement)
        group.get(":id/placement/history", use: placementHistory)
    }

    /// Checks the media type and size (415, 413), validates the document (422 naming every
    /// wrong field), claims the name (409 if it is taken: of concurrent submissions of one name
    /// exactly one wins), then publishes `JobSubmitted` and answers once the broker confirmed
    /// it (202). If publishing fails the claim is given back, so the client may try again.
    @Sendable func submit(_ request: Request, context: Context) async throws -> Response {
        try RequestLimits.checkDocumentHeaders(of: request)
        let body = try await request.body.collect(upTo: RequestLimits.maximumBodyBytes)
        let job: FederatedLearningJob
        do {
            job = try JobDocument.parse(String(buffer: body))
        } catch {
            throw ProblemDetails.invalidDocument(error)
        }
        let missing = try await blobProblems(of: job)
        guard missing.isEmpty else { throw ProblemDetails.invalidDocument(JobValidationError(errors: missing)) }
        guard try await readModel.reserveJobName(job.id) else {
            throw ProblemDetails(.conflict, type: "job-exists", title: "Job exists", detail: "a job named '\(job.id)' was already submitted")
        }
        do {
            try await publisher.publishSubmission(job)
        } catch {
            try? await readModel.releaseJobName(job.id)
            throw error
        }
        return try JSONBody.response(
            SubmittedJob(id: job.id, phase: JobPhase.waiting.rawValue, location: "/v1/jobs/\(job.id)"),
            status: .accepted, headers: [.location: "/v1/jobs/\(job.id)"]
        )
    }

    /// An app or an initial model must be on the hub before a job may name it (the collaborators
    /// and the aggregator fetch them there), and an initial model must be one the job can train.
    private func blobProblems(of job: FederatedLearningJob) async throws -> [FieldError] {
        var errors: [FieldError] = []
        if let app = job.spec.client.trainer?.app, try await readModel.blob(app) == nil {
            errors.append(FieldError(field: "spec.client.trainer.app", problem: "\(app) is not on the hub; upload it first (flotilla submit --app DIR does both)"))
        }
        if let digest = job.spec.server.initialModel {
            let field = "spec.server.initialModel"
            if let blob = try await readModel.blob(digest) {
                if let layout = blob.model {
                    if let problem = InitialModel.problem(with: layout, for: job) { errors.append(FieldError(field: field, problem: problem)) }
                } else {
                    errors.append(FieldError(field: field, problem: "\(digest) cannot start a job: \(blob.notAModel ?? "it is not a model")"))
                }
            } else {
                errors.append(FieldError(field: field, problem: "\(digest) is not on the hub; upload it first (flotilla submit --initial-model FILE does both)"))
            }
        }
        return errors
    }

    @Sendable func list(_ request: Request, context: Context) async throws -> Response {
        try JSONBody.response(Page(items: try await readModel.jobs(limit: try limit(request))))
    }

    @Sendable func show(_ request: Request, context: Context) async throws -> Response {
        let id = try context.parameters.require("id")
        guard let job = try await readModel.job(id) else { throw ProblemDetails.notFound("job '\(id)'") }
        return try JSONBody.response(job)
    }

    @Sendable func rounds(_ request: Request, context: Context) async throws -> Response {
        let id = try context.parameters.require("id")
        guard try await readModel.jobExists(id) else { throw ProblemDetails.notFound("job '\(id)'") }
        return try JSONBody.response(Page(items: try await readModel.rounds(id)))
    }

    @Sendable func placement(_ request: Request, context: Context) async throws -> Response {
        let id = try context.parameters.require("id")
        guard let placement = try await readModel.placement(id) else { throw ProblemDetails.notFound("a placement decision for job '\(id)'") }
        return try JSONBody.response(placement)
    }

    @Sendable func placementHistory(_ request: Request, context: Context) async throws -> Response {
        let id = try context.parameters.require("id")
        guard try await readModel.jobExists(id) else { throw ProblemDetails.notFound("job '\(id)'") }
        return try JSONBody.response(Page(items: try await readModel.placementHistory(id)))
    }

    private func limit(_ request: Request) throws -> Int {
        guard let text = request.uri.queryParameters.get("limit") else { return 100 }
        guard let value = Int(text), (1...1000).contains(value) else {
            throw ProblemDetails(.badRequest, type: "invalid-parameter", title: "Invalid query parameter", detail: "limit: '\(text)' is not an integer in 1...1000",
                                 errors: [FieldError(field: "limit", problem: "must be an integer in 1...1000")])
        }
        return value
    }
}

struct SubmittedJob: Codable, Sendable {
    var id: String
    var phase: String
    var location: String
}
