import Testing
@testable import Registry
@testable import Shared

/// Point 13 of issue 9: what a cluster declares follows the syntax the job's selectors use
/// (shared `KubernetesSyntax`), so a label no selector could ever name is refused at once.
@Suite struct RegistrationSyntaxTests {
    static func registration(labels: [String: String] = [:], claims: [String: String] = [:], scores: [String: Int] = [:]) -> ClusterRegistration {
        ClusterRegistration(name: "c1", labels: labels, claims: claims, resources: ClusterResources(cpuMillicores: 1000, memoryBytes: 1 << 30), scores: scores)
    }

    @Test(arguments: [
        (registration(labels: ["bad key!": "v"]), "labels[bad key!]"),
        (registration(labels: ["zone": "not a value"]), "labels[zone]"),
        (registration(labels: ["Example.com/zone": "a"]), "labels[Example.com/zone]"),
        (registration(claims: ["-data": "/d"]), "claims[-data]"),
        (registration(claims: ["data": "/d\u{0}"]), "claims[data]"),
        (registration(scores: ["a/b/c": 1]), "scores[a/b/c]"),
        (registration(scores: ["Res/score": 1]), "scores[Res/score]"),
    ])
    func badNamesAndValuesAreRefusedNamingTheField(registration: ClusterRegistration, field: String) {
        let problems = RegistrationValidator.problems(with: registration)
        #expect(problems.contains { $0.field == field }, "\(problems)")
        #expect(problems.allSatisfy { !$0.description.contains("\u{0}") })
    }

    @Test func kubernetesStyleDeclarationsAreAccepted() {
        let valid = Self.registration(
            labels: ["cluster.open-cluster-management.io/clusterset": "fl", "region": "eu-west_1", "empty": ""],
            claims: ["federated-learning-sample.client-data": "/data/private/cluster1"],
            scores: ["default/cpuratio": -40, "gpu": 100]
        )
        #expect(RegistrationValidator.problems(with: valid).isEmpty)
    }
}
