import Foundation
import Placement
import Shared
import Testing

/// Decoding OCM documents (JSON equivalents of the YAML samples).
@Suite struct PlacementSpecDecodingTests {
    /// `spec.client.placement` of shared/cases/ocm/federatedlearning-sample.yaml, as JSON.
    static let sample = """
    {
      "clusterSets": ["global"],
      "predicates": [
        {"requiredClusterSelector": {"claimSelector": {"matchExpressions": [
          {"key": "federated-learning-sample.client-data", "operator": "Exists"}
        ]}}}
      ]
    }
    """

    static func decode(_ json: String) throws -> PlacementSpec {
        try JSONDecoder().decode(PlacementSpec.self, from: Data(json.utf8))
    }

    @Test func federatedLearningSample() throws {
        let spec = try Self.decode(Self.sample)
        #expect(spec == PlacementSpec(
            clusterSets: ["global"],
            predicates: [Fixtures.claimPredicate([
                SelectorRequirement(key: "federated-learning-sample.client-data", operator: .exists),
            ])]
        ))
        #expect(spec.validate(at: "spec.client.placement").isEmpty)

        let clusters = [
            Fixtures.cluster("cluster1", claims: ["federated-learning-sample.client-data": "/data/private/cluster1"]),
            Fixtures.cluster("cluster2", claims: ["federated-learning-sample.client-data": "/data/private/cluster2"]),
            Fixtures.cluster("cluster3"),
        ]
        let decision = Fixtures.schedule(spec, clusters)
        #expect(decision.selected == ["cluster1", "cluster2"])
        #expect(decision.condition.reason == .allDecisionsScheduled)
    }

    @Test func fullSpecWithUnknownFieldsIgnored() throws {
        let spec = try Self.decode("""
        {
          "clusterSets": ["prod", "edge"],
          "numberOfClusters": 3,
          "predicates": [{"requiredClusterSelector": {
            "labelSelector": {"matchLabels": {"vendor": "OpenShift"},
                              "matchExpressions": [{"key": "region", "operator": "In", "values": ["eu", "us"]}]},
            "claimSelector": {"matchExpressions": [{"key": "platform.open-cluster-management.io", "operator": "NotIn", "values": ["AWS"]}]},
            "celSelector": {"celExpressions": ["managedCluster.metadata.name != 'x'"]}
          }}],
          "prioritizerPolicy": {"mode": "Exact", "configurations": [
            {"scoreCoordinate": {"builtIn": "ResourceAllocatableMemory"}, "weight": 2},
            {"scoreCoordinate": {"type": "AddOn", "addOn": {"resourceName": "default", "scoreName": "cpuratio"}}, "weight": -1}
          ]},
          "tolerations": [
            {"key": "cluster.open-cluster-management.io/unreachable", "operator": "Exists", "tolerationSeconds": 300},
            {"key": "gpu", "value": "busy", "effect": "NoSelectIfNew"}
          ],
          "spreadPolicy": {"spreadConstraints": [{"topologyKey": "zone", "topologyKeyType": "Label"}]},
          "decisionStrategy": {"groupStrategy": {"clustersPerDecisionGroup": "25%"}}
        }
        """)
        #expect(spec.clusterSets == ["prod", "edge"])
        #expect(spec.numberOfClusters == 3)
        let selector = try #require(spec.predicates?.first?.requiredClusterSelector)
        #expect(selector.labelSelector?.matchLabels == ["vendor": "OpenShift"])
        #expect(selector.labelSelector?.matchExpressions == [SelectorRequirement(key: "region", operator: .in, values: ["eu", "us"])])
        #expect(selector.claimSelector?.matchExpressions?.first?.operator == .notIn)
        #expect(spec.prioritizerPolicy?.mode == .exact)
        // A missing scoreCoordinate.type defaults to BuiltIn, as the OCM API server does.
        #expect(spec.prioritizerPolicy?.configurations?.first == PrioritizerConfig(scoreCoordinate: .builtIn(.resourceAllocatableMemory), weight: 2))
        #expect(spec.prioritizerPolicy?.configurations?.last?.scoreCoordinate == .addOn(resourceName: "default", scoreName: "cpuratio"))
        #expect(spec.tolerations == [
            Toleration(key: Taint.unreachableKey, operator: .exists, tolerationSeconds: 300),
            Toleration(key: "gpu", value: "busy", effect: .noSelectIfNew),
        ])
        #expect(spec.validate(at: "spec").isEmpty)
    }

    @Test func emptyObjectIsTheDefaultSpec() throws {
        #expect(try Self.decode("{}") == PlacementSpec())
    }

    @Test func roundTrip() throws {
        let spec = try Self.decode(Self.sample)
        let again = try JSONDecoder().decode(PlacementSpec.self, from: JSONEncoder().encode(spec))
        #expect(again == spec)
    }

    struct BadEnumCase: Sendable, CustomTestStringConvertible {
        let json: String
        let expectedMessage: String
        var testDescription: String { expectedMessage }
    }

    @Test(arguments: [
        BadEnumCase(
            json: #"{"predicates": [{"requiredClusterSelector": {"claimSelector": {"matchExpressions": [{"key": "k", "operator": "Exist"}]}}}]}"#,
            expectedMessage: "unsupported value \"Exist\" for SelectorOperator; allowed values: In, NotIn, Exists, DoesNotExist"
        ),
        BadEnumCase(
            json: #"{"tolerations": [{"key": "k", "operator": "Equals"}]}"#,
            expectedMessage: "unsupported value \"Equals\" for TolerationOperator; allowed values: Equal, Exists"
        ),
        BadEnumCase(
            json: #"{"tolerations": [{"key": "k", "effect": "NoSchedule"}]}"#,
            expectedMessage: "unsupported value \"NoSchedule\" for TaintEffect; allowed values: NoSelect, NoSelectIfNew, PreferNoSelect"
        ),
        BadEnumCase(
            json: #"{"prioritizerPolicy": {"mode": "Strict"}}"#,
            expectedMessage: "unsupported value \"Strict\" for PrioritizerPolicyMode; allowed values: Additive, Exact"
        ),
    ])
    func invalidEnumValuesAreExplained(_ testCase: BadEnumCase) {
        do {
            _ = try Self.decode(testCase.json)
            Issue.record("decoding should have failed")
        } catch let DecodingError.dataCorrupted(context) {
            #expect(context.debugDescription == testCase.expectedMessage)
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func invalidOperatorErrorCarriesThePath() throws {
        let json = #"{"predicates": [{"requiredClusterSelector": {"claimSelector": {"matchExpressions": [{"key": "k", "operator": "Exist"}]}}}]}"#
        do {
            _ = try Self.decode(json)
            Issue.record("decoding should have failed")
        } catch let DecodingError.dataCorrupted(context) {
            let path = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            #expect(path == ".predicates[0].requiredClusterSelector.claimSelector.matchExpressions[0].operator")
        }
    }
}
