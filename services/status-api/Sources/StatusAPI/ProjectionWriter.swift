import Foundation
import Learning
import Logging
import PostgresNIO
import Shared

/// The SQL for each event type, run inside the projector's transaction.
struct ProjectionWriter {
    let connection: PostgresConnection
    let logger: Logger

    func project(_ event: ConsumedEvent) async throws {
        let time = event.envelope.time
        switch event.envelope.type {
        case .jobSubmitted: try await jobSubmitted(event.payload(JobSubmitted.self), at: time)
        case .jobPhaseChanged: try await phaseChanged(event.payload(JobPhaseChanged.self), eventID: event.envelope.id, at: time)
        case .placementDecided: try await placementDecided(event.payload(PlacementDecided.self), at: time)
        case .roundStarted: try await roundStarted(event.payload(RoundStarted.self), at: time)
        case .roundCompleted: try await roundCompleted(event.payload(RoundCompleted.self), at: time)
        case .roundDeadlineExtended:
            let extended = try event.payload(RoundDeadlineExtended.self)
            try await connection.query(
                "UPDATE job_rounds SET deadline_extended_at = \(time) WHERE job_id = \(extended.jobID) AND round = \(extended.round)", logger: logger
            )
        case .moreClientsRequested:
            let request = try event.payload(MoreClientsRequested.self)
            guard try await phase(of: request.jobID) != nil else { return }
            // On the jobs topic, so it may be applied before the round's start (rounds topic).
            try await connection.query("""
                INSERT INTO job_rounds (job_id, round, state, unresponsive, more_clients_requested_at)
                VALUES (\(request.jobID), \(request.round), 'Running', \(Self.json(request.unresponsive))::jsonb, \(time))
                ON CONFLICT (job_id, round) DO UPDATE SET unresponsive = excluded.unresponsive, more_clients_requested_at = excluded.more_clients_requested_at
                """, logger: logger)
        case .modelUpdateSubmitted: try await updateReceived(event.envelope)
        case .modelUpdateRejected: try await updateRejected(event.payload(ModelUpdateRejected.self), at: time)
        case .roundParticipationFailed:
            let failure = try event.payload(RoundParticipationFailed.self)
            guard try await phase(of: failure.jobID) != nil else { return }
            // Topics are applied independently, so this may come before the round's start; a
            // report about a round already completed (a replay) is stale and ignored.
            let entry = [ParticipantFailure(cluster: failure.cluster, reason: failure.reason, at: time)]
            try await connection.query("""
                INSERT INTO job_rounds (job_id, round, state, failures) VALUES (\(failure.jobID), \(failure.round), 'Running', \(Self.json(entry))::jsonb)
                ON CONFLICT (job_id, round) DO UPDATE SET failures = job_rounds.failures || excluded.failures WHERE job_rounds.state = 'Running'
                """, logger: logger)
        case .evaluationReported:
            let report = try event.payload(EvaluationReported.self)
            guard try await phase(of: report.jobID) != nil else { return }
            // One entry per cluster and round: a duplicate report replaces the earlier one.
            let entry = [ClusterEvaluation(cluster: report.cluster, examples: report.examples, metrics: report.metrics, at: time)]
            try await connection.query("""
                INSERT INTO job_rounds (job_id, round, state, evaluations) VALUES (\(report.jobID), \(report.round), 'Running', \(Self.json(entry))::jsonb)
                ON CONFLICT (job_id, round) DO UPDATE SET evaluations = (
                    SELECT coalesce(jsonb_agg(e), '[]'::jsonb) FROM jsonb_array_elements(job_rounds.evaluations) e WHERE e->>'cluster' <> \(report.cluster)
                ) || excluded.evaluations
                """, logger: logger)
        case .blobPublished:
            let blob = try BlobPublished(envelope: event.envelope)
            let content = BlobContent(of: blob.bytes)
            let layout = try content.layoutJSON
            try await connection.query(
                """
                INSERT INTO blobs (digest, size, published_at, model_layout, model_problem)
                VALUES (\(blob.digest), \(blob.bytes.count), \(time), \(layout)::jsonb, \(content.notAModel)) ON CONFLICT DO NOTHING
                """, logger: logger
            )
        case .clusterRegistered:
            let registered = try event.payload(ClusterRegistered.self)
            try await upsertCluster(registered.cluster.name, state: "Registered", generation: registered.generation, cluster: Self.json(registered.cluster), reason: "", at: time)
        case .clusterRegistrationRejected:
            let rejected = try event.payload(ClusterRegistrationRejected.self)
            try await connection.query("""
                INSERT INTO clusters (name, state, generation, reason, updated_at) VALUES (\(rejected.cluster), 'Rejected', 0, \(rejected.errors.map(\.description).joined(separator: "; ")), \(time))
                ON CONFLICT (name) DO UPDATE SET reason = excluded.reason, updated_at = excluded.updated_at
                """, logger: logger)
        case .clusterDeregistered:
            let gone = try event.payload(ClusterDeregistered.self)
            try await connection.query("UPDATE clusters SET state = 'Deregistered', reason = \(gone.reason), updated_at = \(time) WHERE name = \(gone.cluster)", logger: logger)
        case .clusterCertificateIssued:
            // Logged just before the enrolled cluster's first ClusterRegistered: the row may not exist yet.
            let issued = try event.payload(ClusterCertificateIssued.self)
            let view = Self.json(CertificateView(serial: issued.serial, notValidAfter: issued.notValidAfter, renewal: issued.tokenID == nil))
            try await connection.query("""
                INSERT INTO clusters (name, state, generation, reason, certificate, updated_at) VALUES (\(issued.cluster), 'Enrolled', 0, '', \(view)::jsonb, \(time))
                ON CONFLICT (name) DO UPDATE SET certificate = excluded.certificate, updated_at = excluded.updated_at
                """, logger: logger)
        case .globalModelPublished, .clusterRegistrationRequested, .clusterHeartbeat, .clusterDeregistrationRequested, .bootstrapTokenIssued:
            break  // the round events carry what the projection shows of models; commands and credentials are the registry's
        }
    }

    private func jobSubmitted(_ submitted: JobSubmitted, at time: Date) async throws {
        let job = submitted.job
        try await connection.query("""
            INSERT INTO jobs (id, phase, reason, message, framework, rounds_total, min_available_clients, storage_path, spec, submitted_at, updated_at)
            VALUES (\(job.id), \(JobPhase.waiting.rawValue), 'Submitted', 'waiting for placement', \(job.spec.framework.rawValue), \(job.spec.server.rounds),
                    \(job.spec.server.minAvailableClients), \(job.spec.server.storage.path), \(Self.json(job))::jsonb, \(time), \(time))
            ON CONFLICT (id) DO NOTHING
            """, logger: logger)
        // A job that reached the log without the front door (or before its claim) claims its name too.
        try await connection.query("INSERT INTO job_names (name, reserved_at) VALUES (\(job.id), \(time)) ON CONFLICT DO NOTHING", logger: logger)
        try await connection.query("""
            INSERT INTO job_transitions (job_id, event_id, from_phase, to_phase, reason, message, at)
            VALUES (\(job.id), 'submitted', '', \(JobPhase.waiting.rawValue), 'Submitted', 'waiting for placement', \(time))
            ON CONFLICT DO NOTHING
            """, logger: logger)
    }

    private func phaseChanged(_ change: JobPhaseChanged, eventID: String, at time: Date) async throws {
        guard let current = try await phase(of: change.jobID), current.canMove(to: change.phase) else {
            logger.debug("phase change does not apply", metadata: ["job": "\(change.jobID)", "to": "\(change.phase.rawValue)"])
            return
        }
        let starts = change.phase == .running
        try await connection.query("""
            UPDATE jobs SET phase = \(change.phase.rawValue), reason = \(change.reason), message = \(change.message), updated_at = \(time),
                started_at = CASE WHEN \(starts) THEN \(time) ELSE started_at END,
                finished_at = CASE WHEN \(change.phase.isTerminal) THEN \(time) ELSE finished_at END
            WHERE id = \(change.jobID)
            """, logger: logger)
        try await connection.query("""
            INSERT INTO job_transitions (job_id, event_id, from_phase, to_phase, reason, message, at)
            VALUES (\(change.jobID), \(eventID), \(current.rawValue), \(change.phase.rawValue), \(change.reason), \(change.message), \(time))
            ON CONFLICT DO NOTHING
            """, logger: logger)
    }

    private func placementDecided(_ decided: PlacementDecided, at time: Date) async throws {
        var previous: [String] = []
        for try await text in try await connection.query(
            "SELECT selected::text FROM placement_history WHERE job_id = \(decided.jobID) ORDER BY generation DESC LIMIT 1", logger: logger
        ).decode(String.self) {
            previous = (try? JSONCoding.decoder.decode([String].self, from: Data(text.utf8))) ?? []
        }
        let change = PlacementChange(previous: previous, decision: decided.decision)
        try await connection.query("""
            INSERT INTO placement_history (job_id, generation, selected, joined, departed, sufficient, message, decided_at)
            VALUES (\(decided.jobID), \(decided.generation), \(Self.json(decided.decision.selected))::jsonb, \(Self.json(change.joined))::jsonb,
                    \(Self.json(change.departed))::jsonb, \(decided.sufficient), \(decided.message), \(time))
            ON CONFLICT DO NOTHING
            """, logger: logger)
        try await connection.query("""
            INSERT INTO job_placements (job_id, generation, sufficient, message, participants, decision, decided_at)
            VALUES (\(decided.jobID), \(decided.generation), \(decided.sufficient), \(decided.message), \(Self.json(decided.participants))::jsonb, \(Self.json(decided.decision))::jsonb, \(time))
            ON CONFLICT (job_id) DO UPDATE SET generation = excluded.generation, sufficient = excluded.sufficient, message = excluded.message,
                participants = excluded.participants, decision = excluded.decision, decided_at = excluded.decided_at
            WHERE job_placements.generation < excluded.generation
            """, logger: logger)
        // While waiting, the job's message says why ("expected 3, only 2"); while running, it names
        // the clusters now selected (a re-placement replaced some). Only a newer decision writes it.
        try await connection.query("""
            UPDATE jobs SET message = \(decided.message), updated_at = \(time)
            WHERE id = \(decided.jobID) AND phase IN ('Waiting', 'Running')
              AND \(decided.generation) >= (SELECT coalesce(max(generation), 0) FROM placement_history WHERE job_id = \(decided.jobID))
            """, logger: logger)
    }

    private func roundStarted(_ started: RoundStarted, at time: Date) async throws {
        guard try await phase(of: started.jobID) != nil else { return }
        try await connection.query("""
            INSERT INTO job_rounds (job_id, round, state, participants, started_at)
            VALUES (\(started.jobID), \(started.round), 'Running', \(Self.json(started.participants))::jsonb, \(time))
            ON CONFLICT (job_id, round) DO UPDATE SET participants = excluded.participants, started_at = coalesce(job_rounds.started_at, excluded.started_at)
            WHERE job_rounds.state = 'Running' 
            """, logger: logger)
        try await connection.query("UPDATE jobs SET current_round = greatest(current_round, \(started.round)), updated_at = \(time) WHERE id = \(started.jobID)", logger: logger)
    }

    private func roundCompleted(_ completed: RoundCompleted, at time: Date) async throws {
        guard try await phase(of: completed.jobID) != nil else { return }
        try await connection.query("""
            INSERT INTO job_rounds (job_id, round, state, contributions, missing, departed, strategy, mean_loss, total_examples, model_sha256, model_path, completed_at)
            VALUES (\(completed.jobID), \(completed.round), 'Completed', \(Self.json(completed.contributions))::jsonb, \(Self.json(completed.missing ?? []))::jsonb,
                    \(Self.json(completed.departed ?? []))::jsonb,
                    \(completed.strategy), \(completed.meanLoss), \(completed.totalExamples), \(completed.modelSHA256), \(completed.modelPath), \(time))
            ON CONFLICT (job_id, round) DO UPDATE SET state = 'Completed', contributions = excluded.contributions, missing = excluded.missing, departed = excluded.departed, strategy = excluded.strategy,
                mean_loss = excluded.mean_loss, total_examples = excluded.total_examples, model_sha256 = excluded.model_sha256,
                model_path = excluded.model_path, completed_at = excluded.completed_at
            """, logger: logger)
        let model = LatestModel(version: completed.modelVersion, sha256: completed.modelSHA256, path: completed.modelPath, round: completed.round)
        try await connection.query("""
            UPDATE jobs SET rounds_completed = greatest(rounds_completed, \(completed.round)), latest_model = \(Self.json(model))::jsonb, updated_at = \(time)
            WHERE id = \(completed.jobID) AND rounds_completed < \(completed.round)
            """, logger: logger)
    }

    /// Counts updates per round from the safetensors header alone; the tensors are not read.
    /// Topics are applied independently, so an update may be applied before its round's start:
    /// the round's row is then created here (for a round the job has), and the start fills it in.
    private func updateReceived(_ envelope: EventEnvelope) async throws {
        guard let metadata = try? SafeTensors.metadata(of: envelope.data), let round = metadata["flotilla.round"].flatMap(Int.init) else { return }
        try await connection.query("""
            INSERT INTO job_rounds (job_id, round, state, updates_received)
            SELECT id, \(round), 'Running', 1 FROM jobs WHERE id = \(envelope.subject) AND \(round) BETWEEN 1 AND rounds_total
            ON CONFLICT (job_id, round) DO UPDATE SET updates_received = job_rounds.updates_received + 1
            """, logger: logger)
    }

    private func updateRejected(_ rejected: ModelUpdateRejected, at time: Date) async throws {
        guard let round = rejected.round else { return }
        let entry = [UpdateRejection(cluster: rejected.cluster, reason: rejected.reason, updateEventID: rejected.updateEventID, at: time)]
        try await connection.query(
            "UPDATE job_rounds SET rejections = rejections || \(Self.json(entry))::jsonb WHERE job_id = \(rejected.jobID) AND round = \(round)",
            logger: logger
        )
    }

    private func upsertCluster(_ name: String, state: String, generation: Int, cluster: String, reason: String, at time: Date) async throws {
        try await connection.query("""
            INSERT INTO clusters (name, state, generation, cluster, reason, updated_at) VALUES (\(name), \(state), \(generation), \(cluster)::jsonb, \(reason), \(time))
            ON CONFLICT (name) DO UPDATE SET state = excluded.state, generation = excluded.generation, cluster = excluded.cluster,
                reason = excluded.reason, updated_at = excluded.updated_at
            WHERE clusters.generation <= excluded.generation OR clusters.state <> 'Registered'
            """, logger: logger)
    }

    private func phase(of job: String) async throws -> JobPhase? {
        for try await text in try await connection.query("SELECT phase FROM jobs WHERE id = \(job)", logger: logger).decode(String.self) {
            return JobPhase(rawValue: text)
        }
        return nil
    }

    static func json(_ value: some Encodable) -> String {
        String(decoding: (try? JSONCoding.encoder.encode(value)) ?? Data("null".utf8), as: UTF8.self)
    }
}
