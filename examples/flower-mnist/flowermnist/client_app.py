"""flower-mnist: the ClientApp (Flower's Message API)."""

from flwr.app import Array, ArrayRecord, Context, Message, MetricRecord, RecordDict
from flwr.clientapp import ClientApp

from flowermnist import task

app = ClientApp()


def _model(msg: Message) -> dict:
    """The global model as writable float32 numpy arrays, keyed by tensor name."""
    return {name: array.numpy().astype("float32") for name, array in msg.content["arrays"].items()}


def _data(context: Context):
    """This node's data, as the run config's `partitioning` says: "data-path" (the node's own
    files, node_config["data-path"]), or "by-id" (its shard of the full set in `dataset-dir`)."""
    node, cfg = context.node_config, context.run_config
    partition_id, num_partitions = int(node.get("partition-id", 0)), int(node.get("num-partitions", 1))
    mode = str(cfg.get("partitioning", "data-path"))
    if mode == "by-id":
        return task.load_partition(str(cfg.get("dataset-dir", "")), partition_id, num_partitions)
    if mode != "data-path":
        raise ValueError(f'the run config\'s partitioning must be "data-path" or "by-id", got {mode!r}')
    return task.load_data(node.get("data-path") or None, partition_id, num_partitions)


@app.train()
def train(msg: Message, context: Context) -> Message:
    params = _model(msg)
    x, y, _, _ = _data(context)
    cfg = context.run_config
    seed = int(msg.content["config"].get("server-round", 0)) * 1000 + int(context.node_config.get("partition-id", 0))
    loss = task.train(
        params, x, y,
        epochs=int(cfg["local-epochs"]), batch_size=int(cfg["batch-size"]), lr=float(cfg["learning-rate"]), seed=seed,
    )
    # Flower's convention: the update under "arrays", the metrics (with the FedAvg weight
    # "num-examples") under "metrics".
    content = RecordDict({
        "arrays": ArrayRecord({name: Array(value) for name, value in params.items()}),
        "metrics": MetricRecord({"train-loss": loss, "num-examples": len(x)}),
    })
    return Message(content=content, reply_to=msg)


@app.evaluate()
def evaluate(msg: Message, context: Context) -> Message:
    params = _model(msg)
    _, _, x, y = _data(context)
    loss, acc = task.evaluate(params, x, y)
    metrics = MetricRecord({"eval-loss": loss, "eval-acc": acc, "num-examples": len(x)})
    return Message(content=RecordDict({"metrics": metrics}), reply_to=msg)

