import Foundation
import Testing
@testable import Learning

@Suite("ModelArchitecture")
struct ModelArchitectureTests {
    @Test func softmaxStartsAtZeroWithNamedTensors() {
        let parameters = ModelArchitecture.softmaxRegression(inputs: 784, classes: 10).initialParameters(seed: 1)
        #expect(parameters.tensors.map(\.name) == ["dense.bias", "dense.weight"])
        #expect(parameters.tensors.map(\.shape) == [[10], [10, 784]])
        #expect(parameters.parameterCount == 7850)
        #expect(parameters.tensors.allSatisfy { $0.values.allSatisfy { $0 == 0 } })
    }

    @Test func mlpIsSmallRandomAndDeterministic() {
        let architecture = ModelArchitecture.mlp(inputs: 784, hidden: 64, classes: 10)
        let parameters = architecture.initialParameters(seed: 1)
        #expect(parameters.tensors.map(\.name) == ["hidden.bias", "hidden.weight", "output.bias", "output.weight"])
        #expect(parameters.tensors.map(\.shape) == [[64], [64, 784], [10], [10, 64]])
        #expect(parameters.parameterCount == architecture.parameterCount)
        #expect(parameters == architecture.initialParameters(seed: 1))
        #expect(parameters != architecture.initialParameters(seed: 2))
        let hidden = parameters.tensor(named: "hidden.weight")?.values ?? []
        let bound = (6.0 / 784).squareRoot()
        #expect(hidden.allSatisfy { abs(Double($0)) <= bound })
        #expect(Set(hidden).count > hidden.count / 2)
        #expect(parameters.tensor(named: "hidden.bias")?.values.allSatisfy { $0 == 0 } == true)
    }

    @Test func validateNamesTheMismatch() {
        let architecture = ModelArchitecture.softmaxRegression(inputs: 4, classes: 2)
        var parameters = architecture.initialParameters(seed: 0)
        #expect(throws: Never.self) { try architecture.validate(parameters) }

        parameters.tensors[1].shape = [2, 5]
        #expect(throws: ModelError.tensorMismatch(
            index: 1, expectedName: "dense.weight", expectedShape: [2, 4], foundName: "dense.weight", foundShape: [2, 5])) {
            try architecture.validate(parameters)
        }
        parameters.tensors[1].shape = [2, 4]
        parameters.tensors[1].values.removeLast()
        #expect(throws: ModelError.self) { try architecture.validate(parameters) }
        #expect(throws: ModelError.self) { try architecture.validate(ModelParameters(tensors: [])) }
        #expect(throws: ModelError.self) { try ModelArchitecture.mlp(inputs: 4, hidden: 0, classes: 2).validateDimensions() }
    }

    @Test func codableRoundTripAndLayoutHelpers() throws {
        let architecture = ModelArchitecture.mlp(inputs: 3, hidden: 2, classes: 2)
        let json = try JSONEncoder().encode(architecture)
        #expect(try JSONDecoder().decode(ModelArchitecture.self, from: json) == architecture)

        let a = architecture.initialParameters(seed: 1), b = architecture.initialParameters(seed: 2)
        #expect(a.hasSameLayout(as: b))
        #expect(!a.hasSameLayout(as: ModelArchitecture.mlp(inputs: 3, hidden: 3, classes: 2).initialParameters(seed: 1)))
        #expect(a.allFinite)
        var broken = a
        broken.tensors[3].values[0] = .infinity
        #expect(!broken.allFinite)
    }
}
