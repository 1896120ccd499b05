import Foundation
import Learning
import Testing
@testable import Shared

/// `spec.server.initialModel`: where a job's round 1 starts, and the rules every reader of a
/// job applies to it (the status API, the aggregator and the other consumers alike).
@Suite struct InitialModelDocumentTests {
    func errors(_ text: String, fillingIn: Set<String> = []) -> [String] {
        do {
            _ = try JobDocument.parse(text, fillingIn: fillingIn)
            return []
        } catch {
            return error.errors.map(\.description)
        }
    }

    static let command = "trainer: {command: [python3, train.py]}"

    @Test func anOwnTrainerMustSayWhereRoundOneStarts() {
        let problems = errors(TrainerDocumentTests.document(client: Self.command, initialModel: nil))
        #expect(problems.count == 1 && problems[0].hasPrefix("spec.server.initialModel: is missing"), "\(problems)")
        #expect(problems.first?.contains("flotilla submit --initial-model FILE.safetensors") == true)
        // Either an uploaded model or a built-in one named outright.
        #expect(errors(TrainerDocumentTests.document(client: Self.command)).isEmpty)
        #expect(errors(TrainerDocumentTests.document(client: Self.command, initialModel: nil) + "\n  training: {model: mlp}").isEmpty)
        // The built-in trainer always knows its model.
        #expect(errors(TrainerDocumentTests.document(client: "", initialModel: nil)).isEmpty)
    }

    @Test func theCLIMayFillTheInitialModelInAfterParsing() {
        let text = TrainerDocumentTests.document(client: Self.command, initialModel: nil)
        #expect(errors(text, fillingIn: ["spec.server.initialModel"]).isEmpty)
        #expect(!errors(text.replacingOccurrences(of: "rounds: 2", with: "rounds: 0"), fillingIn: ["spec.server.initialModel"]).isEmpty, "only that field waits")
    }

    @Test(arguments: ["sha256:abc", "md5:" + String(repeating: "a", count: 64), "sha256:" + String(repeating: "A", count: 64)])
    func anInitialModelIsNamedByItsDigest(_ digest: String) {
        let problems = errors(TrainerDocumentTests.document(client: Self.command, initialModel: digest))
        #expect(problems.contains { $0.hasPrefix("spec.server.initialModel: must be sha256: and 64 lowercase hex digits") }, "\(problems)")
    }

    static func job(trainer: TrainerSpec?, training: TrainingSpec? = nil) -> FederatedLearningJob {
        FederatedLearningJob(metadata: ObjectMeta(name: "job-a"), spec: FederatedLearningSpec(
            server: ServerSpec(rounds: 1, minAvailableClients: 1, storage: StorageSpec(path: "/models"), initialModel: TrainerDocumentTests.modelDigest),
            client: ClientSpec(placement: PlacementSpec(), trainer: trainer), training: training
        ))
    }

    @Test func anUploadedModelIsReadBackOnlyWhenEveryValueIsFinite() throws {
        let model = ModelArchitecture.mlp(inputs: 5, hidden: 3, classes: 2).initialParameters(seed: 1)
        let own = Self.job(trainer: TrainerSpec(command: ["python3"]))
        #expect(try InitialModel.decode(SafeTensors.encode(model), for: own) == model)

        var poisoned = model
        poisoned.tensors[0].values[1] = .nan
        #expect(throws: InitialModelError.self) { try InitialModel.decode(SafeTensors.encode(poisoned), for: own) }
        do {
            _ = try InitialModel.decode(SafeTensors.encode(poisoned), for: own)
        } catch {
            #expect(error.reason.contains("holds NaN or infinity in tensor '\(poisoned.tensors[0].name)'"), "\(error)")
        }
        for bytes in [Array("not a model".utf8), SafeTensors.encode(ModelParameters(tensors: []))] {
            do {
                _ = try InitialModel.decode(bytes, for: own)
                Issue.record("accepted \(bytes.count) bytes that are no model")
            } catch {
                #expect(error.reason.hasPrefix(TrainerDocumentTests.modelDigest), "the reason names the blob: \(error)")
            }
        }
    }

    @Test func theBuiltInTrainerStartsOnlyFromItsOwnLayout() throws {
        let training = TrainingSpec(model: .softmaxRegression, inputs: 5, classes: 2)
        let builtIn = Self.job(trainer: nil, training: training)
        let matching = training.architecture.initialParameters(seed: 4)
        #expect(try InitialModel.decode(SafeTensors.encode(matching), for: builtIn) == matching)
        let other = ModelArchitecture.mlp(inputs: 5, hidden: 3, classes: 2).initialParameters(seed: 1)
        let problem = InitialModel.problem(with: ModelLayout(other), for: builtIn)
        #expect(problem?.contains("the built-in trainer trains spec.training's model") == true, "\(problem ?? "accepted")")
        #expect(InitialModel.problem(with: ModelLayout(other), for: Self.job(trainer: TrainerSpec(command: ["python3"]))) == nil, "an own trainer defines its model")
    }
}
