#!/usr/bin/env python3
"""Conversion throughput of the Flower adapter (a benchmark, not a test): a model of N float32
parameters (default 100M, 400 MB) from the contract's safetensors file into the Message the
ClientApp receives, and from the reply's ArrayRecord back into the update file. Prints GB/s
each way against the goal of 1 GB/s, best of 3 runs.

    python3 trainers/flower/bench_conversion.py [--parameters N]
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import flotilla_flower as adapter  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--parameters", type=int, default=100_000_000)
    args = parser.parse_args()
    from flwr.app import ArrayRecord

    n = args.parameters
    rows = 10_000
    tensors = {"big.weight": np.random.default_rng(0).standard_normal((rows, n // rows), dtype=np.float32),
               "big.bias": np.zeros(n - rows * (n // rows) or 1, np.float32)}
    size = sum(a.nbytes for a in tensors.values())
    with tempfile.TemporaryDirectory() as work:
        model_in, model_out = os.path.join(work, "global.safetensors"), os.path.join(work, "update.safetensors")
        adapter.write_safetensors(model_in, tensors)
        del tensors
        ins, outs = [], []
        for _ in range(3):
            started = time.perf_counter()
            arrays_in, arrays = adapter.read_safetensors_as_arrays(model_in)  # what Host.run does before calling the app
            record = ArrayRecord(arrays)
            ins.append(time.perf_counter() - started)

            class Reply:  # the reply's content as update_of reads it
                array_records = {"arrays": record}
            started = time.perf_counter()
            adapter.write_safetensors(model_out, adapter.update_of(Reply, arrays_in))
            outs.append(time.perf_counter() - started)
            del arrays_in, arrays, record
    for name, times in (("safetensors -> Message (read, ArrayRecord)", ins), ("reply ArrayRecord -> safetensors (check, write)", outs)):
        best = min(times)
        print(f"  {name}: {size / best / 1e9:.2f} GB/s ({best * 1000:.0f} ms for {size / 1e6:.0f} MB); goal 1 GB/s: {'met' if size / best >= 1e9 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    print(f"conversion: {100_000_000 if '--parameters' not in sys.argv else sys.argv[-1]} float32 parameters, best of 3")
    sys.exit(main())
