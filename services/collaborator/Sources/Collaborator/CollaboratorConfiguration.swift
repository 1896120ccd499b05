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

    public init(hub: HubConfiguration, registration: ClusterRegistration, dataRoot: String, heartbeatInterval: Duration = .seconds(5), deregisterOnExit: Bool = false) {
        self.hub = hub
        self.registration = registration
        self.dataRoot = dataRoot
        self.heartbeatInterval = heartbeatInterval
        self.deregisterOnExit = deregisterOnExit
    }

    public init(source: ConfigurationSource) throws(ConfigurationError) {
        let name = try source.string(.clusterName)
        let cpuText = try source.string(.clusterCPU)
        guard let cores = Double(cpuText), cores >= 0 else {
            throw ConfigurationError(key: .clusterCPU, problem: "'\(cpuText)' is not a non-negative number of cores")
        }
        let memoryText = try source.string(.clusterMemory)
        guard let memory = Quantity.bytes(memoryText) else {
            throw ConfigurationError(key: .clusterMemory, problem: "'\(memoryText)' is not a quantity like 512Mi or 8Gi")
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
                resources: ClusterResources(cpuMillicores: Int64(cores * 1000), memoryBytes: memory, gpus: try source.int(.clusterGPUs, in: 0...4096)),
                scores: scores
            ),
            dataRoot: try source.string(.dataRoot),
            heartbeatInterval: .seconds(try source.int(.heartbeatSeconds, in: 1...3600)),
            deregisterOnExit: deregister == "true"
        )
    }
}

/// Kubernetes resource quantities for memory: plain bytes or Ki/Mi/Gi/Ti (and k/M/G/T).
public enum Quantity {
    public static func bytes(_ text: String) -> Int64? {
        let units: [(String, Int64)] = [("Ki", 1 << 10), ("Mi", 1 << 20), ("Gi", 1 << 30), ("Ti", 1 << 40), ("k", 1_000), ("M", 1_000_000), ("G", 1_000_000_000), ("T", 1_000_000_000_000)]
        for (suffix, factor) in units where text.hasSuffix(suffix) {
            guard let value = Double(text.dropLast(suffix.count)), value >= 0 else { return nil }
            return Int64(value * Double(factor))
        }
        return Int64(text).flatMap { $0 >= 0 ? $0 : nil }
    }
}
