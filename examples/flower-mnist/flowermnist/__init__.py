"""flower-mnist: a Flower app (Message API) training a 784-64-10 MLP on MNIST in numpy."""
