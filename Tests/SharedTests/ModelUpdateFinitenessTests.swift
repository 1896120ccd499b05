import Learning
import Testing
@testable import Shared

/// A decoded update carries the decoder's finiteness proof to the aggregator; anything that
/// could have changed the values since does not.
@Suite struct ModelUpdateFinitenessTests {
    static func update(_ values: [Float]) -> ModelUpdateSubmitted {
        let parameters = ModelParameters(tensors: [Tensor(name: "dense.weight", shape: [values.count], values: values)])
        return ModelUpdateSubmitted(jobID: "job-a", round: 1, cluster: "c1", examples: 10, loss: 0.5, baseModelSHA256: "abc", parameters: parameters)
    }

    @Test func aDecodedFiniteUpdateKeepsTheProofUntilItsValuesChange() throws {
        let built = Self.update([1, 2, 3])
        #expect(built.finiteParameters == nil)
        var decoded = try ModelUpdateSubmitted(from: built.envelope(source: "t"))
        #expect(decoded.finiteParameters?.parameters == built.parameters)
        #expect(decoded == built)
        decoded.parameters.tensors[0].values[0] = .nan
        #expect(decoded.finiteParameters == nil)
    }

    @Test func aNonFiniteUpdateStillDecodesSoTheAggregatorCanRejectIt() throws {
        let poisoned = Self.update([1, .infinity, 3])
        let decoded = try ModelUpdateSubmitted(from: poisoned.envelope(source: "t"))
        #expect(decoded.finiteParameters == nil)
        #expect(decoded.parameters.tensors[0].values[1] == .infinity)
        var aggregator = try RoundAggregator(strategy: .fedAvg, global: Self.update([0, 0, 0]).parameters)
        #expect(throws: RoundAggregationError.rejectedUpdate(.nonFiniteValues(tensor: "dense.weight"))) { try aggregator.add(decoded) }
        try aggregator.add(try ModelUpdateSubmitted(from: Self.update([1, 2, 3]).envelope(source: "t")))
        #expect(try aggregator.finish().model == Self.update([1, 2, 3]).parameters)
    }
}
