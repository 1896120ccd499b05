"""The model, data and training loop, with PyTorch (no torchvision, no network).

The model's tensors are its state_dict, all float32: `conv1.weight` [8,1,3,3], `conv1.bias`,
`conv2.weight` [16,8,3,3], `conv2.bias`, `fc1.weight` [64,400], `fc1.bias`, `fc2.weight`
[10,64], `fc2.bias` (27,562 parameters).
"""

import os
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

EVAL_FRACTION = 0.1  # held out of the local data for the evaluate task
MEAN, STD = 0.1307, 0.3081  # of MNIST's training pixels, the usual normalisation


class Net(nn.Module):
    """Two 3x3 convolutions with max-pooling, then two dense layers. No batch norm: its
    num_batches_tracked buffer is an int64 tensor, and a Flotilla model holds float32 only."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3)  # 28x28 -> 26x26, pooled to 13x13
        self.conv2 = nn.Conv2d(8, 16, 3)  # 13x13 -> 11x11, pooled to 5x5
        self.fc1 = nn.Linear(16 * 5 * 5, 64)
        self.fc2 = nn.Linear(64, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return self.fc2(F.relu(self.fc1(x.flatten(1))))


def new_model(seed: int = 0) -> Net:
    """A freshly initialised model, the same for the same seed."""
    torch.manual_seed(seed)
    return Net()


def train(model: Net, x, y, *, epochs=1, batch_size=32, lr=0.05, momentum=0.9, seed=0) -> float:
    """Minibatch SGD with momentum, in place on `model`; returns the mean training loss."""
    generator = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)
    model.train()
    total, batches = 0.0, 0
    for _ in range(epochs):
        order = torch.randperm(len(x), generator=generator)
        for start in range(0, len(x), batch_size):
            idx = order[start:start + batch_size]
            optimizer.zero_grad()
            loss = F.cross_entropy(model(x[idx]), y[idx])
            loss.backward()
            optimizer.step()
            total, batches = total + loss.item(), batches + 1
    return total / max(batches, 1)


@torch.no_grad()
def evaluate(model: Net, x, y, batch_size: int = 1000) -> tuple[float, float]:
    """Mean loss and accuracy."""
    model.eval()
    loss, correct = 0.0, 0
    for start in range(0, len(x), batch_size):
        logits = model(x[start:start + batch_size])
        loss += F.cross_entropy(logits, y[start:start + batch_size], reduction="sum").item()
        correct += int((logits.argmax(1) == y[start:start + batch_size]).sum())
    return loss / max(len(x), 1), correct / max(len(x), 1)


def read_idx(path: Path) -> np.ndarray:
    """An IDX file of unsigned bytes (the MNIST format): big-endian dimensions, then data."""
    data = Path(path).read_bytes()
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] != 0x08:
        raise ValueError(f"{path}: not an IDX file of unsigned bytes")
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * ndim).reshape(dims)


def mnist_dir() -> Path:
    """Where scripts/setup caches the full MNIST."""
    cache = os.environ.get("FLOTILLA_CACHE") or os.path.expanduser("~/.cache/flotilla")
    return Path(cache) / "mnist"


@lru_cache(maxsize=4)  # a long-lived process (flwr's simulation, the adapter's serve) reads once
def load_data(data_path: str | None, partition_id: int = 0, num_partitions: int = 1):
    """(x_train, y_train, x_eval, y_eval) of this node's data, as tensors: images [N,1,28,28]
    normalised, labels int64.

    With a data path: the IDX files in it (train-images-idx3-ubyte, train-labels-idx1-ubyte).
    Without: every num_partitions-th example of the full MNIST training set, starting at
    partition_id. A fixed 10% is held out for evaluate.
    """
    root = Path(data_path) if data_path else mnist_dir()
    images = read_idx(root / "train-images-idx3-ubyte")
    labels = read_idx(root / "train-labels-idx1-ubyte")
    if images.shape[1:] != (28, 28) or len(images) != len(labels):
        raise ValueError(f"{root}: expected N 28x28 images and N labels, got {list(images.shape)} and {list(labels.shape)}")
    if not data_path:
        images, labels = images[partition_id::num_partitions], labels[partition_id::num_partitions]
    x = (torch.from_numpy(images.astype(np.float32) / 255.0).unsqueeze(1) - MEAN) / STD
    y = torch.from_numpy(labels.astype(np.int64))
    order = torch.from_numpy(np.random.default_rng(0).permutation(len(x)))
    n_eval = int(len(x) * EVAL_FRACTION)
    held, kept = order[:n_eval], order[n_eval:]
    return x[kept], y[kept], x[held], y[held]
