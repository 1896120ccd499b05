/// Aggregates one round: created from the job's configuration, the round's global model and
/// the server optimizer state, fed updates one by one as they arrive, then finished into the
/// next global model and state.
///
/// - FedAvg, FedProx, FedAdam, FedYogi and FedAdagrad fold each update into a float32 running
///   sum (memory: one model, plus at most `pendingByteBudget` of updates waiting to be folded
///   together — up to eight are fused per pass over the sum, which is what bounds the speed).
///   Fused or not, updates are applied strictly in arrival order, so the result has the same
///   bits however the arrivals were grouped: replaying the same updates in the same order
///   reproduces a round exactly.
/// - FedMedian, trimmed mean, Krum and Multi-Krum keep every update, copied once.
///
/// Every update is checked before it touches anything (example count, tensor names and
/// shapes, NaN and infinity — the last skipped for `FiniteParameters`, already proven finite);
/// a refused update leaves the aggregator exactly as it was.
/// With `clipNorm`, each accepted update's delta is scaled to at most that L2 norm first.
public struct RoundAggregator: Sendable {
    public let configuration: AggregationConfiguration
    /// The model the round started from.
    public let global: ModelParameters
    /// The server optimizer state the round started from.
    public let initialState: ServerOptimizerState
    /// Bytes of accepted updates that may wait to be folded together (default 64 MiB, for
    /// updates already in memory, as in a benchmark). With 40 MB models that fuses pairs: one
    /// update more is held (4 models with the global, the sum and the arriving one) for fewer
    /// passes over the sum; 128 MiB would fuse fours, about 15 points faster against the
    /// bandwidth probe but 2 models more. 0 folds each update as it is added: the aggregator
    /// service's default, where updates arrive one by one through the broker.
    public let pendingByteBudget: Int
    /// Updates accepted so far.
    public private(set) var acceptedCount = 0
    /// Σ examples of the accepted updates.
    public private(set) var totalExamples = 0

    // Internal rather than private so `finish()` can live in its own file.
    var fold: MeanFold?
    var held: HeldUpdates?
    private var pending: [MeanFold.Item] = []
    private var pendingBytes = 0

    public init(
        configuration: AggregationConfiguration, global: ModelParameters, state: ServerOptimizerState = .initial,
        pendingByteBudget: Int = 64 << 20
    ) throws(RoundAggregationError) {
        let problems = configuration.validate()
        guard problems.isEmpty else { throw .invalidConfiguration(problems) }
        do { try global.validate() } catch { throw .invalidGlobalModel(reason: error.description) }
        for tensor in global.tensors where !UpdateCheck.allFinite(tensor.values) {
            throw .invalidGlobalModel(reason: "tensor '\(tensor.name)' contains NaN or infinite values")
        }
        if ServerOptimizer.rule(for: configuration.strategy) != nil { try state.check(against: global) }
        self.configuration = configuration
        self.global = global
        self.initialState = state
        self.pendingByteBudget = max(0, pendingByteBudget)
        if configuration.strategy.foldsUpdates {
            fold = MeanFold()
        } else {
            held = HeldUpdates(layout: global)
        }
    }

    /// An aggregator holding nothing, for `finishInPlace()` to leave behind: no sum, no
    /// updates, an empty global model (so every update is refused as the wrong layout).
    init(emptiedFrom finished: borrowing RoundAggregator) {
        configuration = finished.configuration
        global = ModelParameters(tensors: [])
        initialState = finished.initialState
        pendingByteBudget = finished.pendingByteBudget
    }

    public init(
        strategy: AggregationStrategy, clipNorm: Float? = nil, global: ModelParameters, state: ServerOptimizerState = .initial
    ) throws(RoundAggregationError) {
        try self.init(configuration: AggregationConfiguration(strategy: strategy, clipNorm: clipNorm), global: global, state: state)
    }

    /// Checks `update` and, if it is acceptable, folds or stores it (clipped when configured).
    /// Hand the update over (do not keep using it) and the first one of a round becomes the
    /// running sum without a copy.
    public mutating func add(_ update: consuming ModelParameters, examples: Int) throws(RoundAggregationError) {
        let scale = try UpdateCheck.check(update, examples: examples, global: global, clipNorm: configuration.clipNorm)
        accept(update, examples: examples, scale: scale)
    }

    /// `add(_:examples:)` for an update whose decoder already proved every value finite: the
    /// layout is still checked (and clipping still reads it for its norm), but there is no
    /// separate read of every value.
    public mutating func add(_ update: consuming FiniteParameters, examples: Int) throws(RoundAggregationError) {
        let parameters = update.take()
        let scale = try UpdateCheck.check(parameters, examples: examples, global: global, clipNorm: configuration.clipNorm, knownFinite: true)
        accept(parameters, examples: examples, scale: scale)
    }

    /// Adds several updates, all or nothing: each is checked first, and if any is refused none
    /// is added and that update's error is thrown.
    public mutating func add(contentsOf updates: [(update: ModelParameters, examples: Int)]) throws(RoundAggregationError) {
        var scales: [Double] = []
        for (update, examples) in updates {
            scales.append(try UpdateCheck.check(update, examples: examples, global: global, clipNorm: configuration.clipNorm))
        }
        for ((update, examples), scale) in zip(updates, scales) { accept(update, examples: examples, scale: scale) }
    }

    private mutating func accept(_ update: consuming ModelParameters, examples: Int, scale: Double) {
        acceptedCount += 1
        totalExamples += examples
        if fold != nil {
            pendingBytes += update.byteCount
            pending.append((consume update, examples, scale))
            if pending.count == FoldKernels.maximumSources || pendingBytes > pendingByteBudget { flush() }
        } else {
            if !isKnownUniquelyReferenced(&held) { held = held?.copy() }
            held?.append(update, examples: examples, scale: scale, global: global)
        }
    }

    mutating func flush() {
        guard !pending.isEmpty else { return }
        fold?.fold(&pending)
        pendingBytes = 0
    }
}
