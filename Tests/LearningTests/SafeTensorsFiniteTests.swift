import Testing
@testable import Learning

/// `decodeFinite` checks values during its copy: it must decode exactly what `decode` does and
/// refuse NaN and infinity wherever they sit (vector body, scalar tail, a tensor split across
/// cores), naming the tensor.
@Suite("SafeTensors: decoding with the finite check")
struct SafeTensorsFiniteTests {
    /// A small tensor, one whose length is not a multiple of 16, one large enough to be copied on
    /// several cores, and an empty one.
    static func model(_ poison: (name: String, index: Int, value: Float)? = nil) -> ModelParameters {
        var model = ModelParameters(tensors: [
            Tensor(name: "a.bias", shape: [5], values: [1, -2, 3.5, 0, .leastNonzeroMagnitude]),
            Tensor(name: "b.dense", shape: [3, 37], values: (0..<111).map { Float($0) * -0.5 }),
            Tensor(name: "c.large", shape: [300_001], values: (0..<300_001).map { Float($0 % 1000) * (.greatestFiniteMagnitude / 1000) }),
            Tensor(name: "d.empty", shape: [0], values: []),
        ])
        if let poison, let index = model.tensors.firstIndex(where: { $0.name == poison.name }) {
            model.tensors[index].values[poison.index] = poison.value
        }
        return model
    }

    @Test func finiteValuesDecodeExactlyAsDecodeDoes() throws {
        let bytes = SafeTensors.encode(Self.model(), metadata: ["round": "2"])
        let (finite, metadata) = try SafeTensors.decodeFinite(bytes)
        let (plain, plainMetadata) = try SafeTensors.decode(bytes)
        #expect(finite.parameters == plain)
        #expect(metadata == plainMetadata)
        #expect(try FiniteParameters(checking: plain) == finite)
    }

    @Test(arguments: [
        ("a.bias", 4, Float.nan), ("b.dense", 32, .infinity), ("b.dense", 110, -.infinity),
        ("c.large", 0, .nan), ("c.large", 150_017, .infinity), ("c.large", 300_000, .signalingNaN),
    ])
    func nonFiniteValuesAreRefusedNamingTheTensor(name: String, index: Int, value: Float) {
        let bytes = SafeTensors.encode(Self.model((name, index, value)))
        #expect(throws: SafeTensorsError.nonFiniteValues(tensor: name)) { try SafeTensors.decodeFinite(bytes) }
        #expect((try? SafeTensors.decode(bytes)) != nil)
        #expect(throws: TensorError.nonFiniteValues(name: name)) { try FiniteParameters(checking: Self.model((name, index, value))) }
    }

    @Test func theFirstNonFiniteTensorByNameIsReported() {
        var model = Self.model(("c.large", 9, .nan))
        model.tensors[0].values[0] = .infinity
        #expect(throws: SafeTensorsError.nonFiniteValues(tensor: "a.bias")) { try SafeTensors.decodeFinite(SafeTensors.encode(model)) }
    }

    @Test func malformedFilesFailAsWithDecode() {
        var bytes = SafeTensors.encode(Self.model())
        bytes.removeLast()
        #expect(throws: SafeTensorsError.self) { try SafeTensors.decodeFinite(bytes) }
        #expect(throws: SafeTensorsError.fileTooShort(byteCount: 3)) { try SafeTensors.decodeFinite([0, 0, 0]) }
    }
}
