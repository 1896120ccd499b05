import Foundation
import Placement
import Shared
import Testing

/// Taint effects, toleration matching and `tolerationSeconds`.
@Suite struct TaintTolerationTests {
    static let t0 = Fixtures.t0

    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let taint: Taint
        var tolerations: [Toleration]? = nil
        var inDecision = false
        let kept: Bool
        var testDescription: String { name }
    }

    static func taint(_ effect: TaintEffect, key: String = "gpu", value: String? = "busy") -> Taint {
        Taint(key: key, value: value, effect: effect, timeAdded: t0)
    }

    @Test(arguments: [
        Case(name: "NoSelect without toleration", taint: taint(.noSelect), kept: false),
        Case(name: "NoSelect evicts an already selected cluster", taint: taint(.noSelect), inDecision: true, kept: false),
        Case(name: "NoSelectIfNew, new cluster", taint: taint(.noSelectIfNew), kept: false),
        Case(name: "NoSelectIfNew, already selected", taint: taint(.noSelectIfNew), inDecision: true, kept: true),
        Case(name: "PreferNoSelect never filters", taint: taint(.preferNoSelect), kept: true),
        Case(name: "Equal key and value", taint: taint(.noSelect),
             tolerations: [Toleration(key: "gpu", operator: .equal, value: "busy")], kept: true),
        Case(name: "operator defaults to Equal", taint: taint(.noSelect),
             tolerations: [Toleration(key: "gpu", value: "busy")], kept: true),
        Case(name: "Equal with another value", taint: taint(.noSelect),
             tolerations: [Toleration(key: "gpu", operator: .equal, value: "idle")], kept: false),
        Case(name: "Equal with no value against a valueless taint", taint: taint(.noSelect, value: nil),
             tolerations: [Toleration(key: "gpu")], kept: true),
        Case(name: "Equal with no value against a valued taint", taint: taint(.noSelect),
             tolerations: [Toleration(key: "gpu")], kept: false),
        Case(name: "Exists on the key", taint: taint(.noSelect),
             tolerations: [Toleration(key: "gpu", operator: .exists)], kept: true),
        Case(name: "Exists on another key", taint: taint(.noSelect),
             tolerations: [Toleration(key: "disk", operator: .exists)], kept: false),
        Case(name: "empty key with Exists tolerates everything", taint: taint(.noSelect),
             tolerations: [Toleration(operator: .exists)], kept: true),
        Case(name: "empty key string with Exists tolerates everything", taint: taint(.noSelectIfNew),
             tolerations: [Toleration(key: "", operator: .exists)], kept: true),
        Case(name: "effect must match", taint: taint(.noSelect),
             tolerations: [Toleration(key: "gpu", operator: .exists, effect: .noSelectIfNew)], kept: false),
        Case(name: "matching effect", taint: taint(.noSelect),
             tolerations: [Toleration(key: "gpu", operator: .exists, effect: .noSelect)], kept: true),
        Case(name: "NoSelectIfNew tolerated for a new cluster", taint: taint(.noSelectIfNew),
             tolerations: [Toleration(key: "gpu", operator: .exists)], kept: true),
        Case(name: "second toleration matches", taint: taint(.noSelect),
             tolerations: [Toleration(key: "disk", operator: .exists), Toleration(key: "gpu", value: "busy")], kept: true),
    ])
    func effectsAndTolerations(_ testCase: Case) {
        let clusters = [Fixtures.cluster("tainted", taints: [testCase.taint]), Fixtures.cluster("clean")]
        let decision = Fixtures.schedule(
            PlacementSpec(tolerations: testCase.tolerations), clusters,
            current: testCase.inDecision ? ["tainted"] : []
        )
        #expect(decision.selected.contains("tainted") == testCase.kept)
        #expect(decision.selected.contains("clean"))
        let explanation = decision.explanation(for: "tainted")
        #expect((explanation?.filteredBy == "taintToleration") == !testCase.kept)
        #expect(decision.requeueAfter == nil)
    }

    @Test func everyTaintMustBeTolerated() {
        let cluster = Fixtures.cluster("x", taints: [Self.taint(.noSelect, key: "a"), Self.taint(.noSelect, key: "b")])
        let onlyA = Fixtures.schedule(PlacementSpec(tolerations: [Toleration(key: "a", operator: .exists)]), [cluster])
        #expect(onlyA.selected.isEmpty)
        #expect(onlyA.explanation(for: "x")?.filterReason == "taint b=busy:NoSelect is not tolerated")
        let both = Fixtures.schedule(
            PlacementSpec(tolerations: [Toleration(key: "a", operator: .exists), Toleration(key: "b", operator: .exists)]), [cluster]
        )
        #expect(both.selected == ["x"])
    }

    struct SecondsCase: Sendable, CustomTestStringConvertible {
        let elapsed: TimeInterval
        let tolerations: [Toleration]
        let kept: Bool
        let requeueAfter: TimeInterval?
        var testDescription: String { "t0+\(elapsed)s with \(tolerations.map { $0.tolerationSeconds.map(String.init) ?? "forever" })" }
    }

    static let unavailable = Taint(key: Taint.unavailableKey, effect: .noSelect, timeAdded: t0)
    static func grace(_ seconds: Int64?) -> Toleration {
        Toleration(key: Taint.unavailableKey, operator: .exists, tolerationSeconds: seconds)
    }

    @Test(arguments: [
        SecondsCase(elapsed: 0, tolerations: [grace(300)], kept: true, requeueAfter: 300),
        SecondsCase(elapsed: 100, tolerations: [grace(300)], kept: true, requeueAfter: 200),
        SecondsCase(elapsed: 299.5, tolerations: [grace(300)], kept: true, requeueAfter: 0.5),
        // At exactly timeAdded + seconds the toleration has expired (OCM: now.Before(expiry)).
        SecondsCase(elapsed: 300, tolerations: [grace(300)], kept: false, requeueAfter: nil),
        SecondsCase(elapsed: 301, tolerations: [grace(300)], kept: false, requeueAfter: nil),
        SecondsCase(elapsed: 10, tolerations: [grace(0)], kept: false, requeueAfter: nil),
        SecondsCase(elapsed: 1_000_000, tolerations: [grace(nil)], kept: true, requeueAfter: nil),
        // The first matching toleration that has not expired decides.
        SecondsCase(elapsed: 100, tolerations: [grace(60), grace(300)], kept: true, requeueAfter: 200),
        SecondsCase(elapsed: 30, tolerations: [grace(60), grace(nil)], kept: true, requeueAfter: 30),
        SecondsCase(elapsed: 100, tolerations: [grace(60), grace(nil)], kept: true, requeueAfter: nil),
    ])
    func tolerationSeconds(_ testCase: SecondsCase) {
        let clusters = [Fixtures.cluster("lost", taints: [Self.unavailable])]
        let decision = Fixtures.schedule(
            PlacementSpec(tolerations: testCase.tolerations), clusters,
            now: Self.t0.addingTimeInterval(testCase.elapsed), current: ["lost"]
        )
        #expect(decision.selected == (testCase.kept ? ["lost"] : []))
        #expect(decision.requeueAfter == testCase.requeueAfter)
    }

    @Test func expiredReasonSaysWhen() throws {
        let decision = Fixtures.schedule(
            PlacementSpec(tolerations: [Self.grace(60)]), [Fixtures.cluster("lost", taints: [Self.unavailable])],
            now: Self.t0.addingTimeInterval(61)
        )
        let reason = try #require(decision.explanation(for: "lost")?.filterReason)
        #expect(reason == "toleration of taint \(Taint.unavailableKey):NoSelect expired at 2023-11-14T22:14:20Z")
    }

    @Test func requeueAfterIsTheEarliestExpiry() {
        let clusters = [
            Fixtures.cluster("a", taints: [Taint(key: Taint.unavailableKey, effect: .noSelect, timeAdded: Self.t0)]),
            Fixtures.cluster("b", taints: [Taint(key: Taint.unreachableKey, effect: .noSelect, timeAdded: Self.t0.addingTimeInterval(-50))]),
            Fixtures.cluster("c"),
        ]
        let spec = PlacementSpec(tolerations: [
            Toleration(key: Taint.unavailableKey, operator: .exists, tolerationSeconds: 120),
            Toleration(key: Taint.unreachableKey, operator: .exists, tolerationSeconds: 120),
        ])
        let decision = Fixtures.schedule(spec, clusters, now: Self.t0.addingTimeInterval(10))
        #expect(decision.selected == ["a", "b", "c"])
        #expect(decision.requeueAfter == 60)
    }
}
