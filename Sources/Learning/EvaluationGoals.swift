import Foundation

/// The accuracy goals a model evaluation is checked against, and the verdict. A verdict only
/// claims what was checked: with no goals it says so and passes nothing; "predicts every
/// digit" is claimed only when every class reached `minimumClassAccuracy`.
public struct EvaluationGoals: Sendable, Hashable {
    /// The global model's overall accuracy must reach this.
    public var minimumAccuracy: Double?
    /// Every class of the global model must reach this accuracy.
    public var minimumClassAccuracy: Double?
    /// Every local-only baseline must stay below this accuracy.
    public var maximumBaselineAccuracy: Double?

    public init(minimumAccuracy: Double? = nil, minimumClassAccuracy: Double? = nil, maximumBaselineAccuracy: Double? = nil) {
        self.minimumAccuracy = minimumAccuracy
        self.minimumClassAccuracy = minimumClassAccuracy
        self.maximumBaselineAccuracy = maximumBaselineAccuracy
    }

    public var isEmpty: Bool { minimumAccuracy == nil && minimumClassAccuracy == nil && maximumBaselineAccuracy == nil }

    public struct Verdict: Sendable, Hashable {
        /// One line per goal met, each naming the figure and the goal.
        public var passed: [String]
        /// One line per goal missed.
        public var failed: [String]
        /// Facts printed whatever the goals (the weakest class).
        public var notes: [String]
        public var succeeded: Bool { failed.isEmpty }
    }

    public func check(_ global: Evaluation, baselines: [(name: String, evaluation: Evaluation)] = []) -> Verdict {
        var verdict = Verdict(passed: [], failed: [], notes: [])
        let measured = global.perClass.filter { $0.total > 0 }
        if let weakest = measured.min(by: { $0.accuracy < $1.accuracy }) {
            verdict.notes.append(String(format: "global accuracy %.4f; weakest class %d at %.2f", global.accuracy, weakest.label, weakest.accuracy))
        }
        if isEmpty {
            verdict.notes.append("no goals given (--min-accuracy, --min-class-accuracy, --max-baseline-accuracy): nothing was checked")
        }
        if let minimumAccuracy {
            let line = String(format: "global accuracy %.4f %@ %.2f", global.accuracy, global.accuracy >= minimumAccuracy ? "reaches" : "is below", minimumAccuracy)
            if global.accuracy >= minimumAccuracy { verdict.passed.append(line) } else { verdict.failed.append(line) }
        }
        if let minimumClassAccuracy {
            let below = measured.filter { $0.accuracy < minimumClassAccuracy }
            if below.isEmpty, !measured.isEmpty {
                verdict.passed.append(String(format: "the model predicts all %d classes (each at least %.2f)", measured.count, minimumClassAccuracy))
            } else {
                let names = below.map { String(format: "%d (%.2f)", $0.label, $0.accuracy) }.joined(separator: ", ")
                verdict.failed.append(String(format: "classes below %.2f: %@", minimumClassAccuracy, measured.isEmpty ? "no examples" : names))
            }
        }
        if let maximumBaselineAccuracy {
            for (name, evaluation) in baselines {
                let line = String(format: "%@ reaches %.4f, %@ %.2f", name, evaluation.accuracy, evaluation.accuracy < maximumBaselineAccuracy ? "below" : "not below", maximumBaselineAccuracy)
                if evaluation.accuracy < maximumBaselineAccuracy { verdict.passed.append(line) } else { verdict.failed.append(line) }
            }
        }
        return verdict
    }
}
