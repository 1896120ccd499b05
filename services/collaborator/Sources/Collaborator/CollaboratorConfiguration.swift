import Foundation
import Shared

/// A collaborator agent's settings: who it is, what it declares, where its data lives.
public struct CollaboratorConfiguration: Sendable {
    public var hub: HubConfiguration
    public var registration: ClusterRegistration
    /// Claimed data paths are rooted here (on a real cluster the data volume mounts at `/`).
    public var dataRoot: String
    public var heartbeatInterval: Duration
    /// Deregister on graceful shutdown (a cluster leaving for good), rather than let the lease run out.
    public var deregisterOnExit: Bool
    /// Programs a job's trainer command may start (empty: only the built-in trainer runs).
    public var trainerPrograms: Set<String>
    /// Where each job's trainer workspace and per-round logs live.
    public var workRoot: URL
    /// How uploaded Flower apps run here: the interpreter and the adapter script (nil: none run).
    public var python: String
    public var flowerAdapter: String?
    /// Where to SIGKILL itself, for crash-recovery tests (`FLOTILLA_FAULT`); none by default.
    public var fault = FaultPlan()
    /// Where the cluster's key and certificate are kept (default: `<work root>/identity`).
    public var identityDirectory: URL?
    /// The one-time bootstrap token's file: the agent enrols with the hub's CA and signs every
    /// command. Without one (and with no certificate kept) it registers unsigned, for open hubs.
    public var bootstrapTokenFile: URL?

    public init(
        hub: HubConfiguration, registration: ClusterRegistration, dataRoot: String, heartbeatInterval: Duration = .seconds(5),
        deregisterOnExit: Bool = false, trainerPrograms: Set<String> = [], workRoot: URL? = nil,
        python: String = "python3", flowerAdapter: String? = nil
    ) {
        self.python = python
        self.flowerAdapter = flowerAdapter
        self.trainerPrograms = trainerPrograms
        self.workRoot = workRoot ?? FileManager.default.temporaryDirectory.appendingPathComponent("flotilla-\(registration.name)", isDirectory: true)
        self.hub = hub
        self.registration = registration
        self.dataRoot = dataRoot
        self.heartbeatInterval = heartbeatInterval
        self.deregisterOnExit = deregisterOnExit
    }

    public init(source: ConfigurationSource) throws(ConfigurationError) {
        let name = try source.string(.clusterName)
        let cpuText = try source.string(.clusterCPU)
        guard let cpuMillicores = ResourceQuantity(cpuText)?.milliUnits else {
            throw ConfigurationError(key: .clusterCPU, problem: "'\(cpuText)' is not a non-negative quantity of cores like 4, 1.5 or 500m")
        }
        let memoryText = try source.string(.clusterMemory)
        guard let memory = ResourceQuantity(memoryText)?.units else {
            throw ConfigurationError(key: .clusterMemory, problem: "'\(memoryText)' is not a non-negative quantity of bytes like 512Mi, 8Gi or 1e9")
        }
        var scores: [String: Int] = [:]
        for (scoreName, text) in try source.pairs(.clusterScores) {
            guard let value = Int(text) else { throw ConfigurationError(key: .clusterScores, problem: "score \(scoreName)='\(text)' is not an integer") }
            scores[scoreName] = value  // the range is the registry's to check, with a reason event
        }
        let deregister = try source.string(.deregisterOnExit).lowercased()
        guard ["true", "false"].contains(deregister) else {
            throw ConfigurationError(key: .deregisterOnExit, problem: "'\(deregister)' is not true or false")
        }
        self.init(
            hub: try HubConfiguration(environment: source, clientID: "flotilla-collaborator-\(name)"),
            registration: ClusterRegistration(
                name: name, labels: try source.pairs(.clusterLabels), claims: try source.pairs(.clusterClaims),
                resources: ClusterResources(cpuMillicores: cpuMillicores, memoryBytes: memory, gpus: try source.int(.clusterGPUs, in: 0...4096)),
                scores: scores
            ),
            dataRoot: try source.string(.dataRoot),
            heartbeatInterval: .seconds(try source.int(.heartbeatSeconds, in: 1...3600)),
            deregisterOnExit: deregister == "true",
            trainerPrograms: Set(try source.string(.trainerPrograms).split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }),
            workRoot: try source.string(.workRoot).isEmpty ? nil : URL(fileURLWithPath: try source.string(.workRoot), isDirectory: true),
            python: try source.string(.python),
            flowerAdapter: try source.string(.flowerAdapter).isEmpty ? nil : try source.string(.flowerAdapter)
        )
        fault = try FaultPlan(source: source)
        let identity = try source.string(.identityDirectory), token = try source.string(.bootstrapTokenFile)
        identityDirectory = identity.isEmpty ? nil : URL(fileURLWithPath: identity, isDirectory: true)
        bootstrapTokenFile = token.isEmpty ? nil : URL(fileURLWithPath: token)
    }

    /// Where the key and certificate live.
    public var identityRoot: URL { identityDirectory ?? workRoot.appendingPathComponent("identity", isDirectory: true) }
}
