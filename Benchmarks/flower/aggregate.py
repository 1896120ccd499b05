"""Times Flower's own aggregation functions on random float32 updates of the given shapes.

Used by `flotilla-bench aggregation` when the `flwr` package is importable; prints one JSON
object per line: {"strategy": ..., "clients": n, "parameters": p, "seconds": best of N}.
"fedAvg" is the classic `aggregate()`; "fedAvgMessage" is the message API's
`FedAvg.aggregate_train` over reply Messages (what a Flower 1.x ServerApp runs each round).
"""
import json
import logging
import sys
import time

import numpy as np
from flwr.app import Array, ArrayRecord, Message, MetricRecord, RecordDict
from flwr.common.logger import FLOWER_LOGGER
from flwr.server.strategy.aggregate import aggregate, aggregate_krum, aggregate_median, aggregate_trimmed_avg
from flwr.serverapp.strategy import FedAvg
from flwr.supercore.task_identity import TaskIdentity


def best(function, repetitions):
    times = []
    for _ in range(repetitions):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def replies(results):
    """One reply Message per client, as a ServerApp receives them: an ArrayRecord and the example count."""
    TaskIdentity.run_id, TaskIdentity.node_id, TaskIdentity.task_id = 1, 0, 1
    messages = []
    for index, (arrays, examples) in enumerate(results):
        instruction = Message(RecordDict(), dst_node_id=index + 1, message_type="train")
        content = RecordDict({"arrays": ArrayRecord({"weights": Array(arrays[0])}), "metrics": MetricRecord({"num-examples": examples})})
        messages.append(Message(content, reply_to=instruction))
    return messages


def main():
    FLOWER_LOGGER.setLevel(logging.WARNING)
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
        elif strategy == "fedAvgMessage":
            messages = replies(results)
            run = lambda: FedAvg().aggregate_train(1, messages)
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
