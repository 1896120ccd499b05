import Testing
@testable import Collaborator
@testable import Shared

@Suite struct CollaboratorConfigurationTests {
    @Test func anAgentDeclaresLabelsClaimsResourcesAndScores() throws {
        let configuration = try CollaboratorConfiguration(source: ConfigurationSource([
            "FLOTILLA_CLUSTER_NAME": "cluster1",
            "FLOTILLA_CLUSTER_LABELS": "region=eu,cluster.open-cluster-management.io/clusterset=fl",
            "FLOTILLA_CLUSTER_CLAIMS": "federated-learning-sample.client-data=/data/private/cluster1",
            "FLOTILLA_CLUSTER_CPU": "2.5", "FLOTILLA_CLUSTER_MEMORY": "512Mi", "FLOTILLA_CLUSTER_GPUS": "2",
            "FLOTILLA_CLUSTER_SCORES": "default/cpuratio=-40", "FLOTILLA_DEREGISTER_ON_EXIT": "true",
        ]))
        let registration = configuration.registration
        #expect(registration.labels["region"] == "eu")
        #expect(registration.claims == ["federated-learning-sample.client-data": "/data/private/cluster1"])
        #expect(registration.resources == ClusterResources(cpuMillicores: 2500, memoryBytes: 512 << 20, gpus: 2))
        #expect(registration.scores == ["default/cpuratio": -40])
        #expect(configuration.deregisterOnExit)
    }

    @Test(arguments: [
        ("FLOTILLA_CLUSTER_MEMORY", "lots"), ("FLOTILLA_CLUSTER_CPU", "-1"), ("FLOTILLA_CLUSTER_CPU", "2 cores"), ("FLOTILLA_CLUSTER_MEMORY", "-1Gi"), ("FLOTILLA_CLUSTER_SCORES", "s=high"),
        ("FLOTILLA_CLUSTER_GPUS", "-2"), ("FLOTILLA_DEREGISTER_ON_EXIT", "maybe"),
    ])
    func badValuesNameTheirKey(key: String, value: String) {
        let error = #expect(throws: ConfigurationError.self) {
            try CollaboratorConfiguration(source: ConfigurationSource(["FLOTILLA_CLUSTER_NAME": "c1", key: value]))
        }
        #expect(error?.key.rawValue == key)
    }

    /// Point 13 of issue 9: CPU and memory are Kubernetes quantities, as in a pod spec.
    @Test(arguments: [("500m", "512Mi", 500, 512 << 20), ("2", "8Gi", 2000, 8 << 30), ("1.5", "1e9", 1500, 1_000_000_000), ("250m", "2G", 250, 2_000_000_000)] as [(String, String, Int64, Int64)])
    func cpuAndMemoryAreKubernetesQuantities(cpu: String, memory: String, millicores: Int64, bytes: Int64) throws {
        let configuration = try CollaboratorConfiguration(source: ConfigurationSource([
            "FLOTILLA_CLUSTER_NAME": "c1", "FLOTILLA_CLUSTER_CPU": cpu, "FLOTILLA_CLUSTER_MEMORY": memory,
        ]))
        #expect(configuration.registration.resources.cpuMillicores == millicores)
        #expect(configuration.registration.resources.memoryBytes == bytes)
    }

    @Test func theClusterNameIsRequired() {
        let error = #expect(throws: ConfigurationError.self) { try CollaboratorConfiguration(source: ConfigurationSource([:])) }
        #expect(error?.key == .clusterName)
    }
}
