"""Times Flower's own aggregation functions on random float32 updates of the given shapes.

Used by `flotilla-bench aggregation` when the `flwr` package is importable; prints one JSON
object per line: {"strategy": ..., "clients": n, "parameters": p, "seconds": best of N}.
"""
import json
import sys
import time

import numpy as np
from flwr.server.strategy.aggregate import aggregate, aggregate_krum, aggregate_median, aggregate_trimmed_avg


def best(function, repetitions):
    times = []
    for _ in range(repetitions):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def main():
    shapes = json.loads(sys.argv[1])  # [[strategy, clients, parameters], ...]
    repetitions = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    rng = np.random.default_rng(7)
    cache = {}
    for strategy, clients, parameters in shapes:
        key = (clients, parameters)
        if key not in cache:
            cache.clear()
            cache[key] = [([rng.standard_normal(parameters, dtype=np.float32)], 100 + i) for i in range(clients)]
        results = cache[key]
        if strategy == "fedAvg":
            run = lambda: aggregate(results)
        elif strategy == "fedMedian":
            run = lambda: aggregate_median(results)
        elif strategy == "trimmedMean":
            run = lambda: aggregate_trimmed_avg(results, 0.2)
        elif strategy == "krum":
            run = lambda: aggregate_krum(results, num_malicious=0, to_keep=0)
        else:
            continue
        seconds = best(run, repetitions)
        print(json.dumps({"strategy": strategy, "clients": clients, "parameters": parameters, "seconds": seconds}), flush=True)


if __name__ == "__main__":
    main()
