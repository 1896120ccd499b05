"""pytorch-mnist: the ServerApp, for `flwr run`. Under Flotilla it does not run: the hub's
aggregator takes its place (rounds, FedAvg); `flotilla_flower.py initial-model` runs it only
up to `strategy.start(...)` to take the initial model."""

import torch
from flwr.app import ArrayRecord, Context
from flwr.serverapp import Grid, ServerApp
from flwr.serverapp.strategy import FedAvg

from pytorchmnist import task

app = ServerApp()


@app.main()
def main(grid: Grid, context: Context) -> None:
    cfg = context.run_config
    model = task.new_model(seed=int(cfg["seed"]))
    strategy = FedAvg(fraction_train=float(cfg["fraction-train"]), fraction_evaluate=float(cfg["fraction-evaluate"]))
    result = strategy.start(
        grid=grid,
        initial_arrays=ArrayRecord(model.state_dict()),
        num_rounds=int(cfg["num-server-rounds"]),
    )
    torch.save(result.arrays.to_torch_state_dict(), "final_model.pt")
    print("Saved the final model to final_model.pt")
