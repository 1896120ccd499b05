/// Which half of MNIST, and the IDX file names it is stored under.
public enum MNISTSplit: String, Sendable, Hashable, Codable, CaseIterable {
    case train
    case test

    var filePrefix: String {
        switch self {
        case .train: "train"
        case .test: "t10k"
        }
    }

    public var imagesFileName: String { "\(filePrefix)-images-idx3-ubyte" }
    public var labelsFileName: String { "\(filePrefix)-labels-idx1-ubyte" }
}
