import Foundation
import Logging
import PostgresNIO
import Shared

/// The SQL behind each read, run by ``PostgresReadModel`` under its deadline.
extension PostgresReadModel {
    func jobsNow(limit: Int) async throws -> [JobSummary] {
        let rows = try await client.query("""
            SELECT id, phase, reason, message, rounds_total, rounds_completed, current_round, submitted_at, updated_at
            FROM jobs ORDER BY submitted_at DESC LIMIT \(limit)
            """, logger: logger)
        var result: [JobSummary] = []
        for try await (id, phase, reason, message, total, completed, current, submitted, updated)
            in rows.decode((String, String, String, String, Int, Int, Int, Date, Date).self) {
            result.append(JobSummary(id: id, phase: phase, reason: reason, message: message, rounds: RoundProgress(total: total, completed: completed, current: current), submittedAt: submitted, updatedAt: updated))
        }
        return result
    }

    func jobExistsNow(_ id: String) async throws -> Bool {
        for try await _ in try await client.query("SELECT 1 FROM jobs WHERE id = \(id)", logger: logger) { return true }
        return false
    }

    func job(_ id: String, on connection: PostgresConnection) async throws -> JobDetail? {
        let rows = try await connection.query("""
            SELECT id, phase, reason, message, framework, min_available_clients, storage_path, rounds_total, rounds_completed, current_round,
                   latest_model::text, submitted_at, started_at, finished_at, updated_at,
                   coalesce((spec->'spec'->'evaluation'->>'everyRounds')::int, \(EvaluationSpec.defaultEveryRounds))
            FROM jobs WHERE id = \(id)
            """, logger: logger)
        for try await row in rows.decode((String, String, String, String, String, Int, String, Int, Int, Int, String?, Date, Date?, Date?, Date, Int).self) {
            return JobDetail(
                id: row.0, phase: row.1, reason: row.2, message: row.3, framework: row.4, minAvailableClients: row.5, storagePath: row.6,
                rounds: RoundProgress(total: row.7, completed: row.8, current: row.9), latestModel: Self.decode(LatestModel.self, row.10),
                submittedAt: row.11, startedAt: row.12, finishedAt: row.13, updatedAt: row.14,
                placement: try await placement(id, on: connection).map { PlacementSummary(generation: $0.generation, sufficient: $0.sufficient, message: $0.message, participants: $0.participants, decidedAt: $0.decidedAt) },
                history: try await transitions(id, on: connection), roundDetails: try await rounds(id, on: connection), evaluateEvery: row.15
            )
        }
        return nil
    }

    func transitions(_ id: String, on connection: PostgresConnection) async throws -> [Transition] {
        let rows = try await connection.query("SELECT from_phase, to_phase, reason, message, at FROM job_transitions WHERE job_id = \(id) ORDER BY at, to_phase", logger: logger)
        var result: [Transition] = []
        for try await (from, to, reason, message, at) in rows.decode((String, String, String, String, Date).self) {
            result.append(Transition(from: from, to: to, reason: reason, message: message, at: at))
        }
        return result
    }

    func rounds(_ id: String, on connection: PostgresConnection) async throws -> [RoundDetail] {
        let rows = try await connection.query("""
            SELECT round, state, participants::text, contributions::text, rejections::text, updates_received, strategy, mean_loss, total_examples,
                   model_sha256, model_path, started_at, completed_at, missing::text, deadline_extended_at, failures::text,
                   unresponsive::text, more_clients_requested_at, departed::text, evaluations::text
            FROM job_rounds WHERE job_id = \(id) ORDER BY round
            """, logger: logger)
        var result: [RoundDetail] = []
        for try await row in rows.decode((Int, String, String, String, String, Int, String?, Double?, Int?, String?, String?, Date?, Date?, String, Date?, String, String, Date?, String, String).self) {
            result.append(RoundDetail(
                round: row.0, state: row.1, participants: Self.decode([Participant].self, row.2) ?? [],
                contributions: Self.decode([Contribution].self, row.3) ?? [], missing: Self.decode([String].self, row.13) ?? [],
                failures: Self.decode([ParticipantFailure].self, row.15) ?? [],
                rejections: Self.decode([UpdateRejection].self, row.4) ?? [], updatesReceived: row.5, strategy: row.6, meanLoss: row.7,
                totalExamples: row.8, modelSHA256: row.9, modelPath: row.10, startedAt: row.11, completedAt: row.12, deadlineExtendedAt: row.14,
                unresponsive: Self.decode([String].self, row.16) ?? [], moreClientsRequestedAt: row.17,
                departed: Self.decode([Departure].self, row.18) ?? [],
                evaluation: RoundEvaluation(Self.decode([ClusterEvaluation].self, row.19) ?? [])
            ))
        }
        return result
    }

    func placement(_ id: String, on connection: PostgresConnection) async throws -> PlacementView? {
        let rows = try await connection.query("""
            SELECT generation, sufficient, message, participants::text, decision::text, decided_at FROM job_placements WHERE job_id = \(id)
            """, logger: logger)
        for try await (generation, sufficient, message, participants, decision, decidedAt) in rows.decode((Int, Bool, String, String, String, Date).self) {
            guard let decision = Self.decode(PlacementDecision.self, decision) else { return nil }
            return PlacementView(jobID: id, generation: generation, sufficient: sufficient, message: message, participants: Self.decode([Participant].self, participants) ?? [], decision: decision, decidedAt: decidedAt)
        }
        return nil
    }

    func placementHistoryNow(_ id: String) async throws -> [PlacementHistoryEntry] {
        let rows = try await client.query("""
            SELECT generation, selected::text, joined::text, departed::text, sufficient, message, decided_at
            FROM placement_history WHERE job_id = \(id) ORDER BY generation
            """, logger: logger)
        var result: [PlacementHistoryEntry] = []
        for try await (generation, selected, joined, departed, sufficient, message, decidedAt) in rows.decode((Int, String, String, String, Bool, String, Date).self) {
            result.append(PlacementHistoryEntry(
                generation: generation, selected: Self.decode([String].self, selected) ?? [], joined: Self.decode([String].self, joined) ?? [],
                departed: Self.decode([PlacementChange.Departure].self, departed) ?? [], sufficient: sufficient, message: message, decidedAt: decidedAt
            ))
        }
        return result
    }

    func clustersNow() async throws -> [ClusterView] {
        let rows = try await client.query("SELECT name, state, generation, reason, cluster::text, certificate::text, updated_at FROM clusters ORDER BY name", logger: logger)
        var result: [ClusterView] = []
        for try await (name, state, generation, reason, cluster, certificate, updated) in rows.decode((String, String, Int, String, String?, String?, Date).self) {
            result.append(ClusterView(
                name: name, state: state, generation: generation, reason: reason, cluster: Self.decode(ManagedCluster.self, cluster),
                certificate: Self.decode(CertificateView.self, certificate), updatedAt: updated
            ))
        }
        return result
    }

    func deadLettersNow(limit: Int) async throws -> [DeadLetterView] {
        let rows = try await client.query("""
            SELECT topic, partition, "offset", original_topic, original_offset, service, reason, event_type, received_at
            FROM dead_letters ORDER BY received_at DESC LIMIT \(limit)
            """, logger: logger)
        var result: [DeadLetterView] = []
        for try await row in rows.decode((String, Int, Int64, String, String, String, String, String?, Date).self) {
            result.append(DeadLetterView(topic: row.0, partition: row.1, offset: row.2, originalTopic: row.3, originalOffset: row.4, service: row.5, reason: row.6, eventType: row.7, receivedAt: row.8))
        }
        return result
    }
}
