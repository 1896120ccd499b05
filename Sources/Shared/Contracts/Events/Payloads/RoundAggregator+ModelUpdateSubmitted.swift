import Learning

extension RoundAggregator {
    /// Adds a submitted update, without re-reading its values for NaN and infinity when the
    /// decoder already proved them finite.
    public mutating func add(_ update: ModelUpdateSubmitted) throws(RoundAggregationError) {
        if let finite = update.finiteParameters {
            try add(finite, examples: update.examples)
        } else {
            try add(update.parameters, examples: update.examples)
        }
    }
}
