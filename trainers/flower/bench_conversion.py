#!/usr/bin/env python3
"""Conversion throughput of the Flower adapter (a benchmark, not a test): a model of N float32
parameters (default 100M, 400 MB) from the contract's safetensors file into the Message the
ClientApp receives, and from the reply's ArrayRecord back into the update file. Prints GB/s
each way against the goal of 1 GB/s, best of 3 runs, and for reference what a plain read() of
the file into new memory reaches on this machine (the "in" direction's floor: one copy).

    python3 trainers/flower/bench_conversion.py [--parameters N] [--alignments]

--alignments also times the "in" direction with the tensor data starting at other file offsets.
The kernel copies each tensor from the page cache into its Array's bytes, and on this machine
that copy is about 1.5 times slower when, within a 4 KB page, its destination runs 8 to 24 bytes
ahead of its source (4K aliasing). The Array's tensor bytes start 176 bytes into a page (a
large `bytes` object's data at 48, then the 128-byte .npy header), so the bad offsets are 152,
160 and 168 (this file's header is too long for the first two). 168 is where 8-byte padding,
as the reference writer pads, put this benchmark's data until Flotilla's writers
(SafeTensorsFile, write_safetensors) started the data at a multiple of 64 (192 here).
"""

import argparse
import json
import os
import shutil
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
    parser.add_argument("--alignments", action="store_true", help="also time the \"in\" direction for each data alignment")
    args = parser.parse_args()
    from flwr.app import ArrayRecord

    print(f"conversion: {args.parameters} float32 parameters, best of 3")

    n = args.parameters
    rows = 10_000
    tensors = {"big.weight": np.random.default_rng(0).standard_normal((rows, n // rows), dtype=np.float32),
               "big.bias": np.zeros(n - rows * (n // rows) or 1, np.float32)}
    size = sum(a.nbytes for a in tensors.values())
    with tempfile.TemporaryDirectory() as work:
        model_in, model_out = os.path.join(work, "global.safetensors"), os.path.join(work, "update.safetensors")
        adapter.write_safetensors(model_in, tensors)
        del tensors
        ins, outs, reads = [], [], []
        for _ in range(3):
            started = time.perf_counter()
            with open(model_in, "rb", buffering=0) as f:
                whole = f.read()  # the floor: one kernel copy of the file into fresh memory
            reads.append(time.perf_counter() - started)
            del whole
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
        best = min(reads)
        print(f"  for reference, a plain read() of the file into new memory: {size / best / 1e9:.2f} GB/s ({best * 1000:.0f} ms)")
        if args.alignments:
            sweep(model_in, size)
    return 0


def shifted_copy(src: str, dst: str, start: int) -> int:
    """src with its header padded with spaces (as the format allows) so its data starts at file
    offset `start`, or as near after it as the header allows; returns where the data starts."""
    with open(src, "rb") as f, open(dst, "wb") as out:
        header = f.read(int.from_bytes(f.read(8), "little")).rstrip(b" ")
        json.loads(header)  # still one JSON object
        header += b" " * max(0, start - 8 - len(header))
        out.write(len(header).to_bytes(8, "little") + header)
        shutil.copyfileobj(f, out, 1 << 24)
    return 8 + len(header)


def sweep(model_in: str, size: int) -> None:
    from flwr.app import ArrayRecord

    shifted = model_in + ".shifted"
    for start in (168, 176, 184, 192, 200, 256, 1216, 2240):
        start = shifted_copy(model_in, shifted, start)
        times = []
        for _ in range(3):
            started = time.perf_counter()
            ArrayRecord(adapter.read_safetensors_as_arrays(shifted)[1])
            times.append(time.perf_counter() - started)
        best = min(times)
        print(f"    data at file offset {start:4}: safetensors -> Message {size / best / 1e9:.2f} GB/s ({best * 1000:.0f} ms)")
    os.remove(shifted)


if __name__ == "__main__":
    sys.exit(main())
