import Testing
@testable import Learning

/// A verdict claims only what it checked: a model at chance accuracy never "passes".
struct EvaluationGoalsTests {
    /// Ten classes of 100 examples; `correct[i]` of class i classified right.
    static func evaluation(_ correct: [Int]) -> Evaluation {
        let perClass = correct.enumerated().map { ClassAccuracy(label: $0.offset, correct: $0.element, total: 100) }
        return Evaluation(accuracy: Double(correct.reduce(0, +)) / 1000, meanLoss: 2.3, perClass: perClass)
    }

    @Test func withoutGoalsNothingIsClaimed() {
        let chance = Self.evaluation([100, 0, 0, 0, 0, 0, 0, 0, 0, 0])  // accuracy 0.10: everything predicted as 0
        let verdict = EvaluationGoals().check(chance)
        #expect(verdict.passed.isEmpty)
        #expect(verdict.succeeded)
        #expect(verdict.notes.contains { $0.contains("nothing was checked") })
        #expect(verdict.notes.contains { $0.contains("weakest class 1 at 0.00") })
    }

    @Test func allClassesIsClaimedOnlyWhenEachClassReachesTheFloor() {
        let goals = EvaluationGoals(minimumClassAccuracy: 0.5)
        let lopsided = goals.check(Self.evaluation([99, 98, 97, 96, 95, 94, 93, 92, 91, 10]))
        #expect(!lopsided.succeeded)
        #expect(lopsided.failed == ["classes below 0.50: 9 (0.10)"])
        let even = goals.check(Self.evaluation([90, 90, 80, 80, 70, 70, 60, 60, 55, 51]))
        #expect(even.succeeded)
        #expect(even.passed == ["the model predicts all 10 classes (each at least 0.50)"])
    }

    @Test func eachGoalIsReportedWithItsFigure() {
        let goals = EvaluationGoals(minimumAccuracy: 0.85, maximumBaselineAccuracy: 0.45)
        let verdict = goals.check(Self.evaluation(Array(repeating: 80, count: 10)), baselines: [("c1 alone", Self.evaluation(Array(repeating: 41, count: 10)))])
        #expect(verdict.failed == ["global accuracy 0.8000 is below 0.85"])
        #expect(verdict.passed == ["c1 alone reaches 0.4100, below 0.45"])
    }
}
