@testable import Learning
/// Plain, obviously correct aggregation in float64, used by tests as the reference for the
/// optimised `WeightedAverageAccumulator`.
public enum ReferenceAggregation {
    /// FedAvg: Σ wᵢ·xᵢ / Σ wᵢ element by element, in Double, rounded to Float at the end.
    /// Expects at least one update, all with the first update's layout and positive weights;
    /// for anything else it returns empty parameters rather than a misleading average.
    public static func fedAvg(_ updates: [(ModelParameters, Double)]) -> ModelParameters {
        guard let first = updates.first?.0,
              updates.allSatisfy({ $0.0.hasSameLayout(as: first) && $0.0.isConsistent && $0.1 > 0 && $0.1.isFinite })
        else { return ModelParameters(tensors: []) }

        let totalWeight = updates.reduce(0) { $0 + $1.1 }
        var tensors: [Tensor] = []
        for (index, template) in first.tensors.enumerated() {
            var sums = [Double](repeating: 0, count: template.values.count)
            for (update, weight) in updates {
                for (element, value) in update.tensors[index].values.enumerated() {
                    sums[element] += weight * Double(value)
                }
            }
            tensors.append(Tensor(name: template.name, shape: template.shape, values: sums.map { Float($0 / totalWeight) }))
        }
        return ModelParameters(tensors: tensors)
    }
}
