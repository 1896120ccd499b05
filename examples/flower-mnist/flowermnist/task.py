"""The model, data and training loop, in numpy only (no framework, no network).

The model is a stack of dense layers named as Flotilla's built-in models name them:
`hidden` then `output` for the MLP (relu between), or a single `dense` layer for the logistic
model. Its tensors are `<layer>.weight` [out, in] and `<layer>.bias` [out], float32.
"""

import os
from functools import lru_cache
from pathlib import Path

import numpy as np

NUM_CLASSES = 10
NUM_PIXELS = 784
EVAL_FRACTION = 0.1  # held out of the local data for the evaluate task


def init_model(hidden_units: int = 64, seed: int = 0) -> dict[str, np.ndarray]:
    """A fresh MLP: He-initialised hidden layer, small output layer, zero biases."""
    rng = np.random.default_rng(seed)
    f32 = np.float32
    return {
        "hidden.weight": (rng.standard_normal((hidden_units, NUM_PIXELS)) * np.sqrt(2 / NUM_PIXELS)).astype(f32),
        "hidden.bias": np.zeros(hidden_units, f32),
        "output.weight": (rng.standard_normal((NUM_CLASSES, hidden_units)) * np.sqrt(1 / hidden_units)).astype(f32),
        "output.bias": np.zeros(NUM_CLASSES, f32),
    }


def layers_of(params: dict[str, np.ndarray]) -> list[str]:
    """The layer names in forward order, from the tensor names."""
    if "hidden.weight" in params:
        return ["hidden", "output"]
    if "dense.weight" in params:
        return ["dense"]
    raise ValueError(f"unknown model: tensors {sorted(params)}")


def _forward(params, layers, x):
    """Logits, and each layer's input (kept for the backward pass)."""
    inputs = []
    for i, name in enumerate(layers):
        inputs.append(x)
        x = x @ params[f"{name}.weight"].T + params[f"{name}.bias"]
        if i < len(layers) - 1:
            x = np.maximum(x, 0)
    return x, inputs


def _softmax_xent(logits, y):
    """Mean cross-entropy, and the softmax probabilities."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    probs = exp / exp.sum(axis=1, keepdims=True)
    loss = -np.log(np.maximum(probs[np.arange(len(y)), y], 1e-12)).mean()
    return float(loss), probs


def train(params, x, y, *, epochs=1, batch_size=32, lr=0.1, seed=0) -> float:
    """Plain minibatch SGD in place on `params`; returns the mean training loss."""
    layers = layers_of(params)
    rng = np.random.default_rng(seed)
    total, batches = 0.0, 0
    for _ in range(epochs):
        order = rng.permutation(len(x))
        for start in range(0, len(x), batch_size):
            idx = order[start:start + batch_size]
            xb, yb = x[idx], y[idx]
            logits, inputs = _forward(params, layers, xb)
            loss, probs = _softmax_xent(logits, yb)
            total, batches = total + loss, batches + 1
            grad = probs
            grad[np.arange(len(yb)), yb] -= 1
            grad /= len(yb)
            for i in reversed(range(len(layers))):
                name, inp = layers[i], inputs[i]
                w = params[f"{name}.weight"]
                back = grad @ w if i > 0 else None  # before w changes
                w -= lr * (grad.T @ inp)
                params[f"{name}.bias"] -= lr * grad.sum(axis=0)
                if back is not None:
                    grad = back * (inp > 0)  # inp is the relu output of the layer below
    return total / max(batches, 1)


def evaluate(params, x, y) -> tuple[float, float]:
    """Mean loss and accuracy."""
    logits, _ = _forward(params, layers_of(params), x)
    loss, _ = _softmax_xent(logits, y)
    return loss, float((logits.argmax(axis=1) == y).mean())


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


TRAIN_FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte")
PARTITION_SEED = 42  # the same shuffle on every node, so the shards are disjoint


def _read_train_set(root: Path) -> tuple[np.ndarray, np.ndarray]:
    """The IDX training files in root: images flattened (any image size the global model
    takes), labels as int64."""
    images = read_idx(root / TRAIN_FILES[0])
    y = read_idx(root / TRAIN_FILES[1]).astype(np.int64)
    if len(images) != len(y):
        raise ValueError(f"{root}: {len(images)} images but {len(y)} labels")
    return images.reshape(len(images), -1), y


def _hold_out(x: np.ndarray, y: np.ndarray):
    """(x_train, y_train, x_eval, y_eval): a fixed 10% of the examples held out for evaluate."""
    x = x.astype(np.float32) / 255.0
    order = np.random.default_rng(0).permutation(len(x))
    n_eval = int(len(x) * EVAL_FRACTION)
    held, kept = order[:n_eval], order[n_eval:]
    return x[kept], y[kept], x[held], y[held]


@lru_cache(maxsize=4)  # a long-lived process (flwr's simulation, the adapter's serve) reads once
def load_data(data_path: str | None, partition_id: int = 0, num_partitions: int = 1):
    """(x_train, y_train, x_eval, y_eval) of this node's data.

    With a data path: the IDX files in it. Without: every num_partitions-th example of the
    full MNIST training set, starting at partition_id. A fixed 10% is held out for evaluate.
    """
    x, y = _read_train_set(Path(data_path) if data_path else mnist_dir())
    if not data_path:
        x, y = x[partition_id::num_partitions], y[partition_id::num_partitions]
    return _hold_out(x, y)


def partition_indices(n: int, partition_id: int, num_partitions: int) -> np.ndarray:
    """The examples of shard partition_id of num_partitions, over n examples: one fixed
    shuffle, then near-equal contiguous pieces (as flwr-datasets' IidPartitioner shards a
    dataset). The shards are disjoint and together hold every example."""
    if num_partitions < 1 or not 0 <= partition_id < num_partitions:
        raise ValueError(f"partition-id must be in 0..num-partitions-1, got {partition_id} of {num_partitions}")
    order = np.random.default_rng(PARTITION_SEED).permutation(n)
    return np.sort(np.array_split(order, num_partitions)[partition_id])


@lru_cache(maxsize=4)
def load_partition(dataset_dir: str, partition_id: int, num_partitions: int):
    """(x_train, y_train, x_eval, y_eval) of this node's shard of the full training set in
    dataset_dir (partitioning = "by-id"): the node partitions the data itself, by its
    partition-id and num-partitions, as Flower apps using flwr-datasets do."""
    if not dataset_dir:
        raise ValueError('partitioning = "by-id" needs the run config\'s dataset-dir: a directory holding '
                         f"the full training set ({', '.join(TRAIN_FILES)})")
    root = Path(dataset_dir)
    missing = [name for name in TRAIN_FILES if not (root / name).is_file()]
    if missing:
        raise FileNotFoundError(f"dataset-dir {root} holds no {' and no '.join(missing)} "
                                '(partitioning = "by-id" reads the full training set from there)')
    x, y = _read_train_set(root)
    shard = partition_indices(len(x), partition_id, num_partitions)
    return _hold_out(x[shard], y[shard])
