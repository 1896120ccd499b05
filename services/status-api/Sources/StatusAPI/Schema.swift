import Logging
import PostgresNIO

/// The projection's tables. Applied in order at start-up; each step runs once (recorded in
/// `schema_migrations`), inside a transaction with an advisory lock so replicas can start together.
enum Schema {
    static let migrations: [(version: Int, sql: [String])] = [
        (1, [
            """
            CREATE TABLE jobs (
                id text PRIMARY KEY,
                phase text NOT NULL,
                reason text NOT NULL DEFAULT '',
                message text NOT NULL DEFAULT '',
                framework text NOT NULL,
                rounds_total integer NOT NULL,
                rounds_completed integer NOT NULL DEFAULT 0,
                current_round integer NOT NULL DEFAULT 0,
                min_available_clients integer NOT NULL,
                storage_path text NOT NULL,
                spec jsonb NOT NULL,
                latest_model jsonb,
                submitted_at timestamptz NOT NULL,
                started_at timestamptz,
                finished_at timestamptz,
                updated_at timestamptz NOT NULL
            )
            """,
            """
            CREATE TABLE job_transitions (
                job_id text NOT NULL REFERENCES jobs(id),
                event_id text NOT NULL,
                from_phase text NOT NULL,
                to_phase text NOT NULL,
                reason text NOT NULL,
                message text NOT NULL,
                at timestamptz NOT NULL,
                PRIMARY KEY (job_id, event_id)
            )
            """,
            """
            CREATE TABLE job_rounds (
                job_id text NOT NULL REFERENCES jobs(id),
                round integer NOT NULL,
                state text NOT NULL,
                participants jsonb NOT NULL DEFAULT '[]',
                contributions jsonb NOT NULL DEFAULT '[]',
                rejections jsonb NOT NULL DEFAULT '[]',
                updates_received integer NOT NULL DEFAULT 0,
                strategy text,
                mean_loss double precision,
                total_examples integer,
                model_sha256 text,
                model_path text,
                started_at timestamptz,
                completed_at timestamptz,
                PRIMARY KEY (job_id, round)
            )
            """,
            """
            CREATE TABLE job_placements (
                job_id text PRIMARY KEY,
                generation integer NOT NULL,
                sufficient boolean NOT NULL,
                message text NOT NULL,
                participants jsonb NOT NULL,
                decision jsonb NOT NULL,
                decided_at timestamptz NOT NULL
            )
            """,
            """
            CREATE TABLE clusters (
                name text PRIMARY KEY,
                state text NOT NULL,
                generation integer NOT NULL,
                cluster jsonb,
                reason text NOT NULL DEFAULT '',
                updated_at timestamptz NOT NULL
            )
            """,
            """
            CREATE TABLE dead_letters (
                topic text NOT NULL,
                partition integer NOT NULL,
                "offset" bigint NOT NULL,
                original_topic text NOT NULL,
                original_offset text NOT NULL,
                service text NOT NULL,
                reason text NOT NULL,
                event_type text,
                received_at timestamptz NOT NULL,
                PRIMARY KEY (topic, partition, "offset")
            )
            """,
            // Which events were applied (duplicates change nothing) and where each partition stands.
            "CREATE TABLE applied_events (event_id text PRIMARY KEY, applied_at timestamptz NOT NULL)",
            """
            CREATE TABLE consumer_offsets (
                topic text NOT NULL,
                partition integer NOT NULL,
                next_offset bigint NOT NULL,
                PRIMARY KEY (topic, partition)
            )
            """,
        ]),
        (2, [
            // Every placement decision of a job, with who joined, who left, and why they left.
            """
            CREATE TABLE placement_history (
                job_id text NOT NULL,
                generation integer NOT NULL,
                selected jsonb NOT NULL,
                joined jsonb NOT NULL,
                departed jsonb NOT NULL,
                sufficient boolean NOT NULL,
                message text NOT NULL,
                decided_at timestamptz NOT NULL,
                PRIMARY KEY (job_id, generation)
            )
            """,
        ]),
        (3, [
            "ALTER TABLE job_rounds ADD COLUMN missing jsonb NOT NULL DEFAULT '[]', ADD COLUMN deadline_extended_at timestamptz",
        ]),
        (4, [
            "ALTER TABLE job_rounds ADD COLUMN failures jsonb NOT NULL DEFAULT '[]'",
        ]),
        (5, [
            "ALTER TABLE job_rounds ADD COLUMN unresponsive jsonb NOT NULL DEFAULT '[]', ADD COLUMN more_clients_requested_at timestamptz",
        ]),
        (6, [
            // Names claimed by a submission (before its JobSubmitted is published) or seen on the
            // log: the unique key lets exactly one of concurrent submissions of a name win.
            "CREATE TABLE job_names (name text PRIMARY KEY, reserved_at timestamptz NOT NULL)",
            "INSERT INTO job_names (name, reserved_at) SELECT id, submitted_at FROM jobs",
        ]),
        (7, [
            // Each update's example count fits an integer; a round's sum of them may not.
            "ALTER TABLE job_rounds ALTER COLUMN total_examples TYPE bigint",
        ]),
        (8, [
            "ALTER TABLE job_rounds ADD COLUMN departed jsonb NOT NULL DEFAULT '[]'",
        ]),
        (9, [
            // Federated evaluation: one entry per contributor, weighed when read.
            "ALTER TABLE job_rounds ADD COLUMN evaluations jsonb NOT NULL DEFAULT '[]'",
        ]),
        (10, [
            // Blobs on flotilla.blobs (trainer apps): which digests a job may name.
            "CREATE TABLE blobs (digest text PRIMARY KEY, size bigint NOT NULL, published_at timestamptz NOT NULL)",
        ]),
        (11, [
            // A blob that is a model a job can start from (spec.server.initialModel): its layout,
            // or why it is not one, read once when the blob is published.
            "ALTER TABLE blobs ADD COLUMN model_layout jsonb, ADD COLUMN model_problem text",
        ]),
        (12, [
            // The cluster's current client certificate from the hub's CA (certificates mode).
            "ALTER TABLE clusters ADD COLUMN certificate jsonb",
        ]),
    ]

    static func migrate(_ client: PostgresClient, logger: Logger) async throws {
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(7252011)", logger: logger)
            try await connection.query("CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())", logger: logger)
            var current = 0
            for try await version in try await connection.query("SELECT coalesce(max(version), 0) FROM schema_migrations", logger: logger).decode(Int.self) {
                current = version
            }
            for migration in migrations where migration.version > current {
                for statement in migration.sql {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query("INSERT INTO schema_migrations (version) VALUES (\(migration.version))", logger: logger)
                logger.info("applied schema migration \(migration.version)")
            }
        }
    }
}
