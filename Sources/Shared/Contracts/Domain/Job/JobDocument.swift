import Foundation
import Yams

/// Reads a `FederatedLearning` document (YAML or JSON) and validates it. Every problem is
/// reported with the field it concerns, e.g. `spec.server.rounds: must be at least 1, got 0`.
public enum JobDocument {
    public static let maximumRounds = 10_000
    /// More clients than any fleet Flotilla schedules; also bounds Krum's `2f + 3` arithmetic.
    public static let maximumClients = 10_000
    public static let maximumWaitTimeoutSeconds = 604_800

    /// `fillingIn`: fields the caller fills in next and then validates the whole job again
    /// (the CLI uploads `--app` and `--initial-model` before it submits); their problems wait.
    public static func parse(_ text: String, fillingIn: Set<String> = []) throws(JobValidationError) -> FederatedLearningJob {
        let job: FederatedLearningJob
        let node: Node
        do {
            guard let composed = try Yams.compose(yaml: text) else {
                throw JobValidationError(errors: [FieldError(field: "document", problem: "is empty")])
            }
            node = composed
            job = try YAMLDecoder().decode(FederatedLearningJob.self, from: node)
        } catch let error as JobValidationError {
            throw error
        } catch let error as DecodingError {
            throw JobValidationError(errors: [FieldError(describing: error)])
        } catch {
            throw JobValidationError(errors: [FieldError(field: "document", problem: "is not valid YAML or JSON: \(error)")])
        }
        // Strict, as kubectl's field validation: a misspelt field is an error, not a default.
        let unknown = UnknownFields.problems(in: node, decoded: job)
        do {
            try validate(job)
        } catch {
            let errors = unknown + error.errors.filter { !fillingIn.contains($0.field) }
            if !errors.isEmpty { throw JobValidationError(errors: errors) }
        }
        if !unknown.isEmpty { throw JobValidationError(errors: unknown) }
        return job
    }

    public static func validate(_ job: FederatedLearningJob) throws(JobValidationError) {
        var errors: [FieldError] = []
        if job.apiVersion != FederatedLearningJob.apiVersion {
            errors.append(FieldError(field: "apiVersion", problem: "must be \(FederatedLearningJob.apiVersion), got '\(job.apiVersion)'"))
        }
        if job.kind != FederatedLearningJob.kind {
            errors.append(FieldError(field: "kind", problem: "must be \(FederatedLearningJob.kind), got '\(job.kind)'"))
        }
        if let problem = ResourceName.problem(with: job.metadata.name) {
            errors.append(FieldError(field: "metadata.name", problem: problem))
        }
        errors += LabelRules.labels(job.metadata.labels ?? [:], at: "metadata.labels")
        for key in (job.metadata.annotations ?? [:]).keys.sorted() {
            if let problem = KubernetesSyntax.qualifiedNameProblem(key) { errors.append(FieldError(field: "metadata.annotations[\(key)]", problem: problem)) }
        }
        if job.spec.framework == .openfl {
            errors.append(FieldError(
                field: "spec.framework",
                problem: "openfl is not supported yet; use flower (a Flower app, through spec.client.trainer) or other (any program over Flotilla's trainer contract)"
            ))
        }
        errors += job.spec.client.trainer?.validate(at: "spec.client.trainer") ?? []
        if let trainer = job.spec.client.trainer, trainer.app != nil, trainer.command == nil, job.spec.framework != .flower {
            errors.append(FieldError(field: "spec.client.trainer.command", problem: "is needed to run an app with framework \(job.spec.framework.rawValue) (an app without a command runs as a Flower app: framework flower)"))
        }
        errors += job.spec.evaluation?.validate(at: "spec.evaluation") ?? []
        errors += InitialModel.problems(of: job)
        let server = job.spec.server
        if !(1...maximumRounds).contains(server.rounds) {
            errors.append(FieldError(field: "spec.server.rounds", problem: "must be in 1...\(maximumRounds), got \(server.rounds)"))
        }
        if !(1...maximumClients).contains(server.minAvailableClients) {
            errors.append(FieldError(field: "spec.server.minAvailableClients", problem: "must be in 1...\(maximumClients), got \(server.minAvailableClients)"))
        }
        if let timeout = server.waitTimeoutSeconds, !(1...maximumWaitTimeoutSeconds).contains(timeout) {
            errors.append(FieldError(field: "spec.server.waitTimeoutSeconds", problem: "must be in 1...\(maximumWaitTimeoutSeconds) (a week), got \(timeout)"))
        }
        for (index, listener) in (server.listeners ?? []).enumerated() {
            if let port = listener.port, !(1...65_535).contains(port) {
                errors.append(FieldError(field: "spec.server.listeners[\(index)].port", problem: "must be in 1...65535, got \(port)"))
            }
        }
        if let problem = StoragePath.problem(with: server.storage.path) {
            errors.append(FieldError(field: "spec.server.storage.path", problem: problem))
        }
        if let size = server.storage.size, ResourceQuantity(size) == nil {
            errors.append(FieldError(field: "spec.server.storage.size", problem: "'\(size)' is not a quantity like 2Gi or 500M"))
        }
        if let numberOfClusters = job.spec.client.placement.numberOfClusters, Int(numberOfClusters) < server.minAvailableClients {
            errors.append(FieldError(
                field: "spec.client.placement.numberOfClusters",
                problem: "\(numberOfClusters) can never reach spec.server.minAvailableClients \(server.minAvailableClients)"
            ))
        }
        errors += job.spec.client.placement.validate(at: "spec.client.placement")
        if !job.spec.client.placement.providesDataPath {
            errors.append(FieldError(
                field: "spec.client.placement.predicates",
                problem: "no predicate selects on a claim with operator Exists or In, so no cluster could be handed a data path "
                    + "(add a claimSelector matchExpressions entry such as {key: <dataset>.client-data, operator: Exists})"
            ))
        }
        errors += job.spec.training?.validate(at: "spec.training") ?? []
        errors += job.spec.aggregation?.validate(at: "spec.aggregation", minAvailableClients: server.minAvailableClients) ?? []
        // Every text, wherever it is: a NUL stops PostgreSQL, a control character fools logs.
        errors += TextFields.problems(in: job)
        if !errors.isEmpty { throw JobValidationError(errors: errors) }
    }
}

/// A job document that cannot be accepted, with every field that is wrong.
public struct JobValidationError: Error, Sendable, Hashable, CustomStringConvertible {
    public var errors: [FieldError]
    public init(errors: [FieldError]) { self.errors = errors }
    public var description: String { errors.map(\.description).joined(separator: "; ") }
}

extension FieldError {
    init(describing error: DecodingError) {
        let text = JSONCoding.describe(error)
        if let colon = text.range(of: ": ") {
            self.init(field: String(text[..<colon.lowerBound]), problem: String(text[colon.upperBound...]))
        } else {
            self.init(field: "document", problem: text)
        }
    }
}
