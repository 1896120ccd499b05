"""pytorch-mnist: the ClientApp (Flower's Message API)."""

from flwr.app import ArrayRecord, Context, Message, MetricRecord, RecordDict
from flwr.clientapp import ClientApp

from pytorchmnist import task

app = ClientApp()


def _model(msg: Message) -> task.Net:
    """The global model; load_state_dict is strict, so names and shapes must match Net's."""
    model = task.Net()
    model.load_state_dict(msg.content["arrays"].to_torch_state_dict())
    return model


def _data(context: Context):
    node = context.node_config
    return task.load_data(
        node.get("data-path") or None,
        int(node.get("partition-id", 0)),
        int(node.get("num-partitions", 1)),
    )


@app.train()
def train(msg: Message, context: Context) -> Message:
    model = _model(msg)
    x, y, _, _ = _data(context)
    cfg = context.run_config
    seed = int(msg.content["config"].get("server-round", 0)) * 1000 + int(context.node_config.get("partition-id", 0))
    loss = task.train(
        model, x, y, epochs=int(cfg["local-epochs"]), batch_size=int(cfg["batch-size"]),
        lr=float(cfg["learning-rate"]), momentum=float(cfg["momentum"]), seed=seed,
    )
    # Flower's convention: the update under "arrays" (the state_dict: float32 tensors named by
    # its keys), the metrics (with the FedAvg weight "num-examples") under "metrics".
    content = RecordDict({
        "arrays": ArrayRecord(model.state_dict()),
        "metrics": MetricRecord({"train-loss": loss, "num-examples": len(x)}),
    })
    return Message(content=content, reply_to=msg)


@app.evaluate()
def evaluate(msg: Message, context: Context) -> Message:
    model = _model(msg)
    _, _, x, y = _data(context)
    loss, acc = task.evaluate(model, x, y)
    metrics = MetricRecord({"eval-loss": loss, "eval-acc": acc, "num-examples": len(x)})
    return Message(content=RecordDict({"metrics": metrics}), reply_to=msg)
