/// The read side behind the REST API: the queries the routes need and the job-name
/// reservation that lets exactly one submission of a name win. ``PostgresReadModel`` serves
/// production; ``InMemoryReadModel`` lets the routes be tested in process.
///
/// Implementations throw ``DatabaseUnavailable`` when the store cannot answer in time; the
/// API answers that with 503 and `Retry-After`.
protocol StatusReadModel: Sendable {
    /// Succeeds when the store answers (for `/readyz`).
    func ping() async throws
    func jobs(limit: Int) async throws -> [JobSummary]
    func jobExists(_ id: String) async throws -> Bool
    func job(_ id: String) async throws -> JobDetail?
    func rounds(_ id: String) async throws -> [RoundDetail]
    func placement(_ id: String) async throws -> PlacementView?
    func placementHistory(_ id: String) async throws -> [PlacementHistoryEntry]
    func clusters() async throws -> [ClusterView]
    func deadLetters(limit: Int) async throws -> [DeadLetterView]
    /// Claims `name` for a submission: true for exactly one caller, false if the name is
    /// already claimed or is a known job.
    func reserveJobName(_ name: String) async throws -> Bool
    /// Gives a claimed name back when its `JobSubmitted` could not be published.
    func releaseJobName(_ name: String) async throws
    /// A blob the hub keeps (published on `flotilla.blobs`), or nil.
    func blob(_ digest: String) async throws -> BlobView?
    /// Notes a blob as published (the projection notes it too, from the log).
    func recordBlob(_ digest: String, size: Int, content: BlobContent) async throws
}

/// The read model's store did not answer (down, unreachable, or too slow).
struct DatabaseUnavailable: Error, CustomStringConvertible {
    var reason: String
    var description: String { reason }
}
