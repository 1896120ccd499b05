"""flower-mnist: the ServerApp, for `flwr run`. Under Flotilla it does not run: the hub's
aggregator takes its place (rounds, FedAvg); `flotilla_flower.py initial-model` runs it only
up to `strategy.start(...)` to take the initial model."""

import numpy as np
from flwr.app import Array, ArrayRecord, Context
from flwr.serverapp import Grid, ServerApp
from flwr.serverapp.strategy import FedAvg

from flowermnist import task

app = ServerApp()


@app.main()
def main(grid: Grid, context: Context) -> None:
    cfg = context.run_config
    model = task.init_model(int(cfg["hidden-units"]), seed=int(cfg["seed"]))
    strategy = FedAvg(fraction_train=float(cfg["fraction-train"]), fraction_evaluate=float(cfg["fraction-evaluate"]))
    result = strategy.start(
        grid=grid,
        initial_arrays=ArrayRecord({name: Array(value) for name, value in model.items()}),
        num_rounds=int(cfg["num-server-rounds"]),
    )
    final = {name: array.numpy() for name, array in result.arrays.items()}
    np.savez("final_model.npz", **final)
    print("Saved the final model to final_model.npz")
