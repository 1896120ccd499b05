extension LabeledImages {
    /// Every `n`-th example (indices n-1, 2n-1, …) held out for evaluation, the rest for
    /// training: both keep the data's mix of labels, and the split is the same on every run.
    public func holdingOut(every n: Int) -> (training: LabeledImages, heldOut: LabeledImages) {
        guard n > 1 else { return (self, selecting([])) }
        let indices = Array(0..<count)
        return (selecting(indices.filter { $0 % n != n - 1 }), selecting(indices.filter { $0 % n == n - 1 }))
    }
}
