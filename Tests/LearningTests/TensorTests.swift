import Testing
@testable import Learning

@Suite("Tensor")
struct TensorTests {
    @Test func consistencyChecks() throws {
        #expect(Tensor(name: "s", shape: [], values: [1]).isConsistent)
        #expect(Tensor(name: "e", shape: [3, 0], values: []).isConsistent)
        #expect(!Tensor(name: "w", shape: [2, 2], values: [1, 2, 3]).isConsistent)
        #expect(throws: TensorError.valueCountMismatch(name: "w", shape: [2, 2], expected: 4, actual: 3)) {
            try Tensor.validated(name: "w", shape: [2, 2], values: [1, 2, 3])
        }
        #expect(throws: TensorError.invalidShape(name: "n", shape: [-1])) { try Tensor(name: "n", shape: [-1], repeating: 0) }
        #expect(throws: TensorError.invalidShape(name: "h", shape: [Int.max, 2])) {
            try Tensor(name: "h", shape: [Int.max, 2], repeating: 0)
        }
        #expect(try Tensor(name: "z", shape: [2, 3], repeating: 0.5).values == Array(repeating: 0.5, count: 6))
    }

    @Test func modelParametersRejectDuplicateNames() {
        let duplicated = ModelParameters(tensors: [
            Tensor(name: "a", shape: [1], values: [1]), Tensor(name: "a", shape: [1], values: [2]),
        ])
        #expect(throws: TensorError.duplicateName("a")) { try duplicated.validate() }
    }

    @Test func finiteCheckCoversTailElements() {
        for length in [1, 15, 16, 17, 33] {
            for position in [0, length - 1] {
                var values = [Float](repeating: 1, count: length)
                values[position] = .nan
                #expect(!Tensor(name: "t", shape: [length], values: values).allFinite)
            }
        }
        #expect(Tensor(name: "t", shape: [40], values: Array(repeating: .greatestFiniteMagnitude, count: 40)).allFinite)
    }
}
