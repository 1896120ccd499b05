"""pytorch-mnist: a Flower app (Message API) training a small CNN on MNIST with PyTorch."""
