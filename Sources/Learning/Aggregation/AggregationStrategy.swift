/// How the aggregator turns one round's client updates into the next global model, with the
/// strategy's parameters. Defaults are Flower 1.41's (message API), so a job spec that names
/// only the strategy behaves like the same Flower strategy.
///
/// JSON shape: `{"name": "fedAdam", "eta": 0.1, "beta1": 0.9, "beta2": 0.99, "tau": 0.001}`;
/// omitted fields take their defaults, unknown names and fields are decoding errors, and
/// `validate()` names every out-of-range field.
public enum AggregationStrategy: Sendable, Hashable {
    /// Example-weighted mean of the updates (McMahan et al. 2017).
    case fedAvg
    /// Aggregates exactly like FedAvg; `mu` is the proximal term the trainers apply
    /// (`TrainingConfiguration.proximalMu`). Flower has no default for it, so it is required.
    case fedProx(mu: Float)
    /// Server-side Adam on the pseudo-gradient `mean(updates) − global` (Reddi et al. 2021),
    /// with Flower's bias-corrected step size.
    case fedAdam(eta: Float = 0.1, beta1: Float = 0.9, beta2: Float = 0.99, tau: Float = 1e-3)
    /// Server-side Yogi: like Adam, but the second moment moves additively by sign.
    case fedYogi(eta: Float = 0.01, beta1: Float = 0.9, beta2: Float = 0.99, tau: Float = 1e-3)
    /// Server-side Adagrad: the second moment accumulates every squared pseudo-gradient.
    case fedAdagrad(eta: Float = 0.1, tau: Float = 1e-3)
    /// Coordinate-wise median of the updates, unweighted (Yin et al. 2018).
    case fedMedian
    /// Coordinate-wise mean after dropping `⌊beta·n⌋` values from each end, unweighted.
    case trimmedMean(beta: Float = 0.2)
    /// The single update with the smallest sum of squared distances to its `n − f − 2`
    /// nearest neighbours (Blanchard et al. 2017); `f` is the number of Byzantine clients tolerated.
    case krum(f: Int = 0)
    /// The example-weighted mean of the `m` updates with the best Krum scores.
    case multiKrum(f: Int = 0, m: Int = 1)

    /// The JSON `name` of the strategy.
    public var name: String {
        switch self {
        case .fedAvg: "fedAvg"
        case .fedProx: "fedProx"
        case .fedAdam: "fedAdam"
        case .fedYogi: "fedYogi"
        case .fedAdagrad: "fedAdagrad"
        case .fedMedian: "fedMedian"
        case .trimmedMean: "trimmedMean"
        case .krum: "krum"
        case .multiKrum: "multiKrum"
        }
    }

    /// Every strategy name the decoder accepts.
    public static let names = ["fedAvg", "fedProx", "fedAdam", "fedYogi", "fedAdagrad", "fedMedian", "trimmedMean", "krum", "multiKrum"]

    /// True when updates can be folded into a running sum as they arrive (memory O(model));
    /// false when the strategy needs every update at once (median, trimmed mean, Krum).
    public var foldsUpdates: Bool {
        switch self {
        case .fedAvg, .fedProx, .fedAdam, .fedYogi, .fedAdagrad: true
        case .fedMedian, .trimmedMean, .krum, .multiKrum: false
        }
    }

    /// The proximal term the trainers should apply this job (0 unless FedProx).
    public var proximalMu: Float {
        if case let .fedProx(mu) = self { return mu }
        return 0
    }
}
