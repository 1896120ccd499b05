import Foundation

/// Allocatable resources a managed cluster advertises.
public struct ClusterResources: Codable, Sendable, Hashable {
    public var cpuMillicores: Int64
    public var memoryBytes: Int64
    public var gpus: Int

    public init(cpuMillicores: Int64 = 0, memoryBytes: Int64 = 0, gpus: Int = 0) {
        self.cpuMillicores = cpuMillicores
        self.memoryBytes = memoryBytes
        self.gpus = gpus
    }
}
