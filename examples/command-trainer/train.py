#!/usr/bin/env python3
"""A Flotilla trainer as a plain program (docs/trainer-contract.md): numpy only, no framework.

Trains or evaluates Flotilla's built-in MNIST models (the `mlp`'s hidden/output layers, or the
`logistic` model's dense layer) on the IDX files in FLOTILLA_DATA_DIR, with minibatch SGD.
Config keys: local-epochs (1), batch-size (32), learning-rate (0.1). 10% of the local data is
held out for evaluate tasks.
"""

import json
import math
import os
import sys
from pathlib import Path

# Batch-32 products are too small to gain from BLAS threads; on a shared node they only contend.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
import numpy as np  # noqa: E402  (after the thread settings, which numpy reads on import)

EVAL_FRACTION = 0.1


def read_safetensors(path):
    """name -> float32 array; F32 only: 8-byte little-endian header size, JSON header, data."""
    data = Path(path).read_bytes()
    size = int.from_bytes(data[:8], "little")
    header = json.loads(data[8:8 + size])
    header.pop("__metadata__", None)
    body = memoryview(data)[8 + size:]
    out = {}
    for name, entry in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"][0]):
        if entry["dtype"] != "F32":
            raise ValueError(f"tensor {name} is {entry['dtype']}; the contract sends F32 only")
        begin, end = entry["data_offsets"]
        out[name] = np.frombuffer(body[begin:end], "<f4").reshape(entry["shape"]).copy()  # writable
    return out


def write_safetensors(path, tensors):
    header, offset = {}, 0
    for name, a in tensors.items():
        header[name] = {"dtype": "F32", "shape": list(a.shape), "data_offsets": [offset, offset + a.nbytes]}
        offset += a.nbytes
    raw = json.dumps(header).encode()
    raw += b" " * (-len(raw) % 8)
    with open(path, "wb") as f:
        f.write(len(raw).to_bytes(8, "little") + raw)
        for a in tensors.values():
            f.write(np.ascontiguousarray(a, "<f4").tobytes())


def read_idx(path):
    data = Path(path).read_bytes()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load_data(data_dir):
    """(x_train, y_train, x_eval, y_eval): a fixed 10% of the local examples held out."""
    images = read_idx(Path(data_dir) / "train-images-idx3-ubyte")
    x = images.reshape(len(images), -1).astype(np.float32) / 255.0  # any image size the model takes
    y = read_idx(Path(data_dir) / "train-labels-idx1-ubyte").astype(np.int64)
    order = np.random.default_rng(0).permutation(len(x))
    n_eval = int(len(x) * EVAL_FRACTION)
    return x[order[n_eval:]], y[order[n_eval:]], x[order[:n_eval]], y[order[:n_eval]]


def layers_of(params):
    return ["hidden", "output"] if "hidden.weight" in params else ["dense"]


def forward(params, x):
    """Logits and each layer's input; relu between layers."""
    layers, inputs = layers_of(params), []
    for i, name in enumerate(layers):
        inputs.append(x)
        x = x @ params[name + ".weight"].T + params[name + ".bias"]
        if i < len(layers) - 1:
            x = np.maximum(x, 0)
    return x, inputs


def xent(logits, y):
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    return float(-np.log(np.maximum(p[np.arange(len(y)), y], 1e-12)).mean()), p


def train(params, x, y, epochs, batch_size, lr, seed):
    layers, rng, losses = layers_of(params), np.random.default_rng(seed), []
    for _ in range(epochs):
        order = rng.permutation(len(x))
        for start in range(0, len(x), batch_size):
            idx = order[start:start + batch_size]
            logits, inputs = forward(params, x[idx])
            loss, grad = xent(logits, y[idx])
            losses.append(loss)
            grad[np.arange(len(idx)), y[idx]] -= 1
            grad /= len(idx)
            for i in reversed(range(len(layers))):
                w = params[layers[i] + ".weight"]
                back = grad @ w if i > 0 else None
                w -= lr * (grad.T @ inputs[i])
                params[layers[i] + ".bias"] -= lr * grad.sum(axis=0)
                if back is not None:
                    grad = back * (inputs[i] > 0)
    return float(np.mean(losses))


def main():
    env = os.environ
    task, rnd = env["FLOTILLA_TASK"], int(env["FLOTILLA_ROUND"])
    config = json.loads(env.get("FLOTILLA_CONFIG") or "{}")
    params = read_safetensors(env["FLOTILLA_MODEL_IN"])
    x, y, x_eval, y_eval = load_data(env["FLOTILLA_DATA_DIR"])
    if task == "train":
        seed = rnd * 1000 + int(env.get("FLOTILLA_PARTITION_ID") or 0)  # a new shuffle each round
        loss = train(params, x, y, int(config.get("local-epochs", 1)), int(config.get("batch-size", 32)),
                     float(config.get("learning-rate", 0.1)), seed)
        if not all(np.isfinite(a).all() for a in params.values()) or not math.isfinite(loss):
            sys.exit(f"training diverged in round {rnd} (loss {loss}); lower learning-rate")
        write_safetensors(env["FLOTILLA_MODEL_OUT"], params)
        metrics = {"num-examples": len(x), "train-loss": loss}
    elif task == "evaluate":
        loss, probs = xent(forward(params, x_eval)[0], y_eval)
        metrics = {"num-examples": len(x_eval), "eval-loss": loss, "eval-acc": float((probs.argmax(1) == y_eval).mean())}
    else:
        sys.exit(f"unknown FLOTILLA_TASK {task!r}")
    Path(env["FLOTILLA_METRICS_OUT"]).write_text(json.dumps(metrics))
    print(f"round {rnd} {task}: {metrics}", file=sys.stderr)


if __name__ == "__main__":
    main()
