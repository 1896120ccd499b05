import Foundation
import Yams

/// Reads a `FederatedLearning` document (YAML or JSON) and validates it. Every problem is
/// reported with the field it concerns, e.g. `spec.server.rounds: must be at least 1, got 0`.
public enum JobDocument {
    public static let maximumRounds = 10_000

    public static func parse(_ text: String) throws(JobValidationError) -> FederatedLearningJob {
        let job: FederatedLearningJob
        do {
            job = try YAMLDecoder().decode(FederatedLearningJob.self, from: text)
        } catch let error as DecodingError {
            throw JobValidationError(errors: [FieldError(describing: error)])
        } catch {
            throw JobValidationError(errors: [FieldError(field: "document", problem: "is not valid YAML or JSON: \(error)")])
        }
        try validate(job)
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
        let server = job.spec.server
        if !(1...maximumRounds).contains(server.rounds) {
            errors.append(FieldError(field: "spec.server.rounds", problem: "must be in 1...\(maximumRounds), got \(server.rounds)"))
        }
        if server.minAvailableClients < 1 {
            errors.append(FieldError(field: "spec.server.minAvailableClients", problem: "must be at least 1, got \(server.minAvailableClients)"))
        }
        if let timeout = server.waitTimeoutSeconds, !(1...604_800).contains(timeout) {
            errors.append(FieldError(field: "spec.server.waitTimeoutSeconds", problem: "must be in 1...604800 (a week), got \(timeout)"))
        }
        if let problem = StoragePath.problem(with: server.storage.path) {
            errors.append(FieldError(field: "spec.server.storage.path", problem: problem))
        }
        if let numberOfClusters = job.spec.client.placement.numberOfClusters, Int(numberOfClusters) < server.minAvailableClients {
            errors.append(FieldError(
                field: "spec.client.placement.numberOfClusters",
                problem: "\(numberOfClusters) can never reach spec.server.minAvailableClients \(server.minAvailableClients)"
            ))
        }
        errors += job.spec.client.placement.validate(at: "spec.client.placement")
        errors += job.spec.training?.validate(at: "spec.training") ?? []
        errors += job.spec.aggregation?.validate(at: "spec.aggregation", minAvailableClients: server.minAvailableClients) ?? []
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
