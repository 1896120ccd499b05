"""Tests of the Flower adapter against the real flwr, of the example apps through it, and of
the plain command trainer.

Run from the repository root: python3 -m unittest discover -s trainers/flower/tests -v
(PytorchMnistTests run only with a Python that has torch; see examples/pytorch-mnist.)
"""

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import unittest
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
ADAPTER = ROOT / "trainers" / "flower" / "flotilla_flower.py"
FLOWER_MNIST = ROOT / "examples" / "flower-mnist"
PYTORCH_MNIST = ROOT / "examples" / "pytorch-mnist"
COMMAND_TRAINER = ROOT / "examples" / "command-trainer" / "train.py"
MNIST = Path(os.environ.get("FLOTILLA_CACHE") or Path.home() / ".cache" / "flotilla") / "mnist"

sys.dont_write_bytecode = True  # leave no __pycache__ in the source tree
_spec = importlib.util.spec_from_file_location("flotilla_flower", ADAPTER)
ff = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ff)

# A ClientApp that records what it was handed and replies as its config's "mode" says.
RECORDER = '''
import json, os
import numpy as np
from flwr.app import Array, ArrayRecord, ConfigRecord, Error, Message, MetricRecord, RecordDict
from flwr.clientapp import ClientApp

app = ClientApp()

def _record(msg, context):
    calls = int(context.state["calls"]["n"]) + 1 if "calls" in context.state else 1
    context.state["calls"] = ConfigRecord({"n": calls})
    content = msg.content
    seen = {
        "message_type": msg.metadata.message_type,
        "src_node_id": msg.metadata.src_node_id,
        "dst_node_id": msg.metadata.dst_node_id,
        "records": sorted(content.keys()),
        "arrays": {k: [v.dtype, list(v.shape)] for k, v in content["arrays"].items()},
        "array_order": list(content["arrays"].keys()),
        "config": dict(content["config"]),
        "run_config": dict(context.run_config),
        "node_config": dict(context.node_config),
        "node_id": context.node_id,
        "run_id": context.run_id,
        "cwd": os.getcwd(),
        "calls": calls,
    }
    with open(context.run_config["record-path"], "w") as f:
        json.dump(seen, f)

def _reply(msg, context, train):
    _record(msg, context)
    print("chatter from the app on stdout")  # must never reach the serve protocol
    mode = msg.content["config"].get("mode", "ok")
    arrays = {k: v.numpy() + 1 for k, v in msg.content["arrays"].items()}
    metrics = {"num-examples": 7, "loss": 0.5, "accuracy": 0.75}
    if mode == "raise":
        raise RuntimeError("boom from the app")
    if mode == "exit":
        raise SystemExit(3)
    if mode == "error-reply":
        return Message(Error(code=42, reason="cannot train today"), reply_to=msg)
    if mode == "wrong-shape":
        arrays["w"] = np.zeros((3, 3), np.float32)
    if mode == "wrong-name":
        arrays["other"] = arrays.pop("w")
    if mode == "nan":
        arrays["w"][0, 0] = np.nan
    if mode == "float64":
        arrays = {k: v.astype(np.float64) for k, v in arrays.items()}
    if mode == "no-num-examples":
        del metrics["num-examples"]
    if mode == "inf-metric":
        metrics["loss"] = float("inf")
    if mode == "list-metric":
        metrics["per-class"] = [0.1, 0.2]
    records = {"metrics": MetricRecord(metrics)}
    if train and mode != "no-arrays":
        records["arrays"] = ArrayRecord({k: Array(v) for k, v in arrays.items()})
    if mode == "other-keys":  # Flower's strategies take the only record of each kind, whatever its key
        records = {"params": records["arrays"], "results": records["metrics"]}
    return Message(RecordDict(records), reply_to=msg)

@app.train()
def train(msg, context):
    return _reply(msg, context, True)

@app.evaluate()
def evaluate(msg, context):
    return _reply(msg, context, False)
'''

PYPROJECT = '''
[project]
name = "recorder"
version = "1.0.0"

[tool.flwr.app]
publisher = "tests"

[tool.flwr.app.components]
serverapp = "recorder:server"
clientapp = "{clientapp}"

[tool.flwr.app.config]
record-path = ""
learning-rate = 0.1
local-epochs = 1

[tool.flwr.app.config.opt]
beta = 0.9
'''


def write_idx(path, array: np.ndarray) -> None:
    """Standard IDX: 0, 0, type 0x08 (ubyte), ndim, big-endian dimensions, data."""
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in array.shape)
    Path(path).write_bytes(header + np.ascontiguousarray(array, np.uint8).tobytes())


def read_idx(path) -> np.ndarray:
    data = Path(path).read_bytes()
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(data[3])]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * data[3]).reshape(dims)


def accuracy(params, x, y) -> float:
    """The contract's MLP or logistic model, forward only."""
    if "hidden.weight" in params:
        x = np.maximum(x @ params["hidden.weight"].T + params["hidden.bias"], 0)
        logits = x @ params["output.weight"].T + params["output.bias"]
    else:
        logits = x @ params["dense.weight"].T + params["dense.bias"]
    return float((logits.argmax(axis=1) == y).mean())


def contract_env(**fields) -> dict:
    # One BLAS thread: batch-32 products gain nothing from threads, and two clusters share 2 cores.
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLOTILLA_")}
    env |= {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "PYTHONDONTWRITEBYTECODE": "1"}
    for k, v in fields.items():
        if v is not None:
            env["FLOTILLA_" + k.upper()] = v if isinstance(v, str) else json.dumps(v) if isinstance(v, dict) else str(v)
    return env



def without_timing(answer: dict) -> dict:
    """A serve answer without its "app-seconds" (checked to be a time), for comparison."""
    answer = dict(answer)
    seconds = answer.pop("app-seconds", None)
    if answer.get("ok"):
        assert isinstance(seconds, float) and seconds >= 0, f"app-seconds {seconds!r}"
    return answer

class RecorderTests(unittest.TestCase):
    """The adapter's message, context, metrics and errors, with a ClientApp that records."""

    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp(prefix="flotilla-flower-"))
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)
        self.app = self.make_app("recorder:app")
        (self.app / "recorder.py").write_text(RECORDER)
        self.work = self.tmp / "work"
        self.work.mkdir()
        self.model_in = self.tmp / "global.safetensors"
        self.model = {"w": np.arange(6, dtype=np.float32).reshape(2, 3), "b": np.array([0.5, -1, 2, 3], np.float32)}
        ff.write_safetensors(self.model_in, self.model)

    def make_app(self, clientapp, name="app"):
        d = self.tmp / name
        d.mkdir()
        (d / "pyproject.toml").write_text(PYPROJECT.replace("{clientapp}", clientapp))
        return d

    def fields(self, task="train", mode="ok", round=3, **extra):
        f = {
            "task": task, "round": round, "model_in": str(self.model_in),
            "model_out": str(self.tmp / f"update-{round}.safetensors") if task == "train" else None,
            "metrics_out": str(self.tmp / f"metrics-{task}-{round}.json"), "data_dir": str(self.tmp / "data"),
            "config": {"mode": mode, "record-path": str(self.tmp / "seen.json"), "learning-rate": 1, "extra": "x"},
            "cluster": "cluster7", "partition_id": 1, "num_partitions": 2, "work_dir": str(self.work),
        }
        f.update(extra)
        return f

    def run_task(self, app=None, **kw):
        f = self.fields(**kw)
        p = subprocess.run([sys.executable, str(ADAPTER), "run", "--app", str(app or self.app)],
                           env=contract_env(**f), cwd=self.work, capture_output=True, text=True, timeout=120)
        return p, f

    def seen(self):
        return json.loads((self.tmp / "seen.json").read_text())

    def assertFails(self, reason, app=None, **kw):
        p, f = self.run_task(app=app, **kw)
        self.assertEqual(p.returncode, 1, p.stderr)
        last = p.stderr.strip().splitlines()[-1]
        self.assertIn("flotilla-flower: error:", last)
        self.assertIn(reason, last)
        if f.get("model_out"):
            self.assertFalse(Path(f["model_out"]).exists(), "a failed task must leave no update")
        return last

    def test_message_and_context(self):
        p, f = self.run_task()
        self.assertEqual(p.returncode, 0, p.stderr)
        seen = self.seen()
        self.assertEqual(seen["message_type"], "train")
        self.assertEqual(seen["records"], ["arrays", "config"])
        self.assertEqual(seen["arrays"], {"w": ["float32", [2, 3]], "b": ["float32", [4]]})
        self.assertEqual(seen["array_order"], ["w", "b"])
        self.assertEqual(seen["config"], {**f["config"], "server-round": 3})
        self.assertEqual(seen["run_config"], {
            "record-path": f["config"]["record-path"], "learning-rate": 1.0, "local-epochs": 1, "opt.beta": 0.9,
            "mode": "ok", "extra": "x",
        })
        self.assertIsInstance(seen["run_config"]["learning-rate"], float)  # the app's TOML said 0.1
        self.assertEqual(seen["node_config"], {
            "partition-id": 1, "num-partitions": 2, "cluster-name": "cluster7", "data-path": f["data_dir"],
        })
        self.assertEqual(seen["cwd"], str(self.work))
        self.assertEqual(seen["src_node_id"], 1)
        self.assertEqual(seen["dst_node_id"], seen["node_id"])
        first_ids = (seen["node_id"], seen["run_id"])

        p, _ = self.run_task(task="evaluate", round=4)
        self.assertEqual(p.returncode, 0, p.stderr)
        seen = self.seen()
        self.assertEqual(seen["message_type"], "evaluate")
        self.assertEqual(seen["config"]["server-round"], 4)
        self.assertEqual((seen["node_id"], seen["run_id"]), first_ids, "ids stay the same across rounds")

    def test_no_data_dir_leaves_data_path_out(self):
        p, _ = self.run_task(data_dir="")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertNotIn("data-path", self.seen()["node_config"])

    def test_update_and_metrics(self):
        from safetensors.numpy import load_file  # the reference reader

        p, f = self.run_task()
        self.assertEqual(p.returncode, 0, p.stderr)
        update = load_file(f["model_out"])
        self.assertEqual(list(update), ["w", "b"])
        for name, value in self.model.items():
            self.assertEqual(update[name].dtype, np.float32)
            np.testing.assert_array_equal(update[name], value + 1)
        self.assertEqual(json.loads(Path(f["metrics_out"]).read_text()), {"num-examples": 7, "loss": 0.5, "accuracy": 0.75})

        p, f = self.run_task(task="evaluate")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(json.loads(Path(f["metrics_out"]).read_text())["num-examples"], 7)

    def test_other_record_keys_float64_and_list_metrics(self):
        for mode in ("other-keys", "float64", "list-metric"):
            with self.subTest(mode=mode):
                p, f = self.run_task(mode=mode)
                self.assertEqual(p.returncode, 0, p.stderr)
                update = ff.read_safetensors(f["model_out"])
                np.testing.assert_array_equal(update["w"], self.model["w"] + 1)
                self.assertNotIn("per-class", json.loads(Path(f["metrics_out"]).read_text()))

    def test_errors(self):
        cases = {
            "raise": "the ClientApp raised RuntimeError: boom from the app",
            "exit": "the ClientApp raised SystemExit: 3",
            "error-reply": "the ClientApp replied with error 42: cannot train today",
            "no-arrays": "the train reply holds no ArrayRecord",
            "wrong-name": "missing ['w'], unexpected ['other']",
            "wrong-shape": "tensor w has shape [3, 3], expected [2, 3]",
            "nan": "tensor w holds NaN or infinity",
            "no-num-examples": "have no num-examples",
            "inf-metric": "metric loss is not finite",
        }
        for mode, reason in cases.items():
            with self.subTest(mode=mode):
                self.assertFails(reason, mode=mode)

    def test_app_loading_errors(self):
        no_component = self.make_app("", name="nocomponent")
        self.assertFails("names no clientapp in [tool.flwr.app.components]", app=no_component)
        broken = self.make_app("broken:app", name="broken")
        (broken / "broken.py").write_text("import a_module_that_is_not_there\n")
        self.assertFails("cannot load clientapp 'broken:app': ModuleNotFoundError", app=broken)
        not_an_app = self.make_app("plain:app", name="plain")
        (not_an_app / "plain.py").write_text("app = 42\n")
        self.assertFails("is a int, not a ClientApp", app=not_an_app)

    def test_bad_task_fields(self):
        self.assertFails("task must be train or evaluate", task="query")
        self.assertFails("missing model_out", model_out="")
        self.assertFails("round must be >= 1", round=0)
        self.assertFails("config value opts must be a string, a number or a boolean", config={"opts": {"a": 1}})
        self.assertFails("cannot read the model", model_in=str(self.tmp / "absent.safetensors"))

    def test_metrics_match_the_schema(self):
        try:
            from jsonschema import Draft202012Validator
        except ImportError:
            self.skipTest("jsonschema is not installed")
        schema = json.loads((ROOT / "docs" / "trainer-metrics.schema.json").read_text())
        Draft202012Validator.check_schema(schema)
        validator = Draft202012Validator(schema)
        p, f = self.run_task()
        self.assertEqual(p.returncode, 0, p.stderr)
        validator.validate(json.loads(Path(f["metrics_out"]).read_text()))
        for bad in ({"loss": 1.0}, {"num-examples": 1.5}, {"num-examples": 1, "bad name": 1}, {"num-examples": 1, "flag": True}):
            self.assertFalse(validator.is_valid(bad), bad)

    def test_serve_two_tasks_in_one_process(self):
        proc = subprocess.Popen([sys.executable, str(ADAPTER), "serve", "--app", str(self.app)], cwd=self.tmp, env=contract_env(),
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        stderr = []
        drain = threading.Thread(target=lambda: stderr.extend(proc.stderr), daemon=True)
        drain.start()

        def ask(fields):
            proc.stdin.write((fields if isinstance(fields, str) else json.dumps(fields)) + "\n")
            proc.stdin.flush()
            return json.loads(proc.stdout.readline())

        try:
            train = self.fields(round=1)
            train["config"] = json.dumps(train["config"])  # as FLOTILLA_CONFIG: a JSON string works too
            self.assertEqual(without_timing(ask(train)), {"ok": True})
            self.assertEqual(without_timing(ask(self.fields(task="evaluate", round=1))), {"ok": True})
            seen = self.seen()
            self.assertEqual(seen["calls"], 2, "Context.state lives across a job's tasks")
            self.assertEqual(seen["cwd"], str(self.work))
            np.testing.assert_array_equal(ff.read_safetensors(train["model_out"])["w"], self.model["w"] + 1)

            failed = ask(self.fields(round=2, mode="raise"))
            self.assertFalse(failed["ok"])
            self.assertIn("boom from the app", failed["error"])
            self.assertFalse(ask(self.fields(round=2, mode="exit"))["ok"], "sys.exit() in the app must not end serve")
            self.assertFalse(ask("not json")["ok"])
            self.assertEqual(without_timing(ask(self.fields(round=3))), {"ok": True}, "a failed task leaves the process serving")
            proc.stdin.close()
            self.assertEqual(proc.wait(timeout=60), 0)
            self.assertEqual(proc.stdout.read(), "", "nothing but answers on stdout")
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.stdout.close()
        drain.join(timeout=10)
        proc.stderr.close()
        self.assertIn("chatter from the app on stdout", "".join(stderr))

    def test_safetensors_round_trip_with_the_reference_library(self):
        from safetensors.numpy import load_file, save_file

        tensors = {"a": np.random.default_rng(1).standard_normal((3, 5)).astype(np.float32), "scalar": np.array(2, np.float32),
                   "empty": np.zeros((0, 4), np.float32)}
        ff.write_safetensors(self.tmp / "ours.safetensors", tensors)
        theirs = load_file(self.tmp / "ours.safetensors")
        save_file(tensors, str(self.tmp / "theirs.safetensors"), metadata={"format": "np"})
        ours = ff.read_safetensors(self.tmp / "theirs.safetensors")
        for name, value in tensors.items():
            np.testing.assert_array_equal(theirs[name], value, strict=True)  # strict: shape and dtype too (a scalar stays 0-d)
            np.testing.assert_array_equal(ours[name], value, strict=True)
        header_len = int.from_bytes((self.tmp / "ours.safetensors").read_bytes()[:8], "little")
        self.assertEqual(header_len % 8, 0)


class ArrayConversionTests(unittest.TestCase):
    """The Arrays the adapter builds from the model file are the Arrays Flower builds itself."""

    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp(prefix="flotilla-arrays-"))
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)
        rng = np.random.default_rng(2)
        self.tensors = {
            "conv.weight": rng.standard_normal((8, 1, 3, 3)).astype(np.float32),
            "fc.weight": rng.standard_normal((10, 300)).astype(np.float32) * np.float32(1e30),  # large, -0.0 below
            "fc.bias": np.array([-0.0, np.float32(1e-45), 1, -2, 3, 4, 5, 6, 7, 8], np.float32),
            "scalar": np.array(2.5, np.float32),
            "empty": np.zeros((0, 4), np.float32),
            "big": rng.standard_normal(70_000).astype(np.float32),  # past the reader's buffer, not a multiple of it
        }

    def check(self, path):
        from flwr.app import Array, ArrayRecord
        from flwr.common.serde import array_from_proto, array_to_proto
        from flwr.proto.recorddict_pb2 import Array as ProtoArray
        from flwr.supercore.inflatable.inflatable_object import get_all_nested_objects
        from flwr.supercore.inflatable.inflatable_utils import inflate_object_from_contents

        shapes, arrays = ff.read_safetensors_as_arrays(path)
        self.assertEqual(list(arrays), list(self.tensors), "file order")
        for name, value in self.tensors.items():
            with self.subTest(tensor=name):
                ours, flowers = arrays[name], Array(value)
                self.assertIs(type(ours.data), bytes)
                self.assertEqual(shapes[name], value.shape)
                self.assertEqual((ours.dtype, ours.shape, ours.stype), (flowers.dtype, flowers.shape, flowers.stype))
                self.assertEqual(ours, flowers)  # dtype, shape, stype and the .npy bytes themselves
                back = ours.numpy()
                self.assertEqual((back.dtype, back.shape), (np.dtype(np.float32), value.shape))
                np.testing.assert_array_equal(back.view(np.uint32), value.view(np.uint32))  # bit for bit
                proto = ProtoArray()
                proto.ParseFromString(array_to_proto(ours).SerializeToString())
                self.assertEqual(array_from_proto(proto), flowers)

        # Flower's transport: the record as content-addressed objects, and back.
        record = ArrayRecord(arrays)
        self.assertEqual(record.object_id, ArrayRecord({k: Array(v) for k, v in self.tensors.items()}).object_id)
        contents = {object_id: obj.deflate() for object_id, obj in get_all_nested_objects(record).items()}
        inflated = inflate_object_from_contents(record.object_id, contents)
        for name, value in self.tensors.items():
            np.testing.assert_array_equal(inflated[name].numpy(), value)

    def test_arrays_equal_flowers_own(self):
        ff.write_safetensors(self.tmp / "ours.safetensors", self.tensors)
        self.check(self.tmp / "ours.safetensors")

    def test_arrays_from_the_reference_writer(self):
        from safetensors.numpy import save_file  # __metadata__, its own order and alignment

        save_file(self.tensors, str(self.tmp / "theirs.safetensors"), metadata={"format": "np"})
        order = list(ff.read_safetensors(self.tmp / "theirs.safetensors"))
        self.tensors = {name: self.tensors[name] for name in order}
        self.check(self.tmp / "theirs.safetensors")

    def test_truncated_and_empty_files(self):
        path = self.tmp / "model.safetensors"
        ff.write_safetensors(path, self.tensors)
        data = path.read_bytes()
        for cut, reason in ((len(data) - 4, "do not fit shape"), (20, "header length"), (3, "too short"), (0, "too short")):
            with self.subTest(cut=cut):
                path.write_bytes(data[:cut])
                with self.assertRaisesRegex(ff.TaskError, reason):
                    ff.read_safetensors_as_arrays(path)
        with self.assertRaisesRegex(ff.TaskError, "cannot read the model"):
            ff.read_safetensors_as_arrays(self.tmp / "absent.safetensors")


class PartitioningTests(unittest.TestCase):
    """flower-mnist with partitioning = "by-id": the app takes its shard of the full set in
    dataset-dir by node_config's partition-id and num-partitions, as flwr-datasets apps do."""

    N = 103  # examples; pixels 0 and 1 spell each one's index, its label is index % 10

    @classmethod
    def setUpClass(cls):
        cls.tmp = Path(tempfile.mkdtemp(prefix="flotilla-partitions-"))
        index = np.arange(cls.N)
        images = np.random.default_rng(3).integers(0, 256, (cls.N, 28, 28), dtype=np.uint8)
        images[:, 0, 0], images[:, 0, 1] = index // 256, index % 256
        cls.dataset = cls.tmp / "full"
        cls.dataset.mkdir()
        write_idx(cls.dataset / "train-images-idx3-ubyte", images)
        write_idx(cls.dataset / "train-labels-idx1-ubyte", index % 10)
        rng = np.random.default_rng(0)
        cls.model_in = cls.tmp / "global.safetensors"
        ff.write_safetensors(cls.model_in, {
            "hidden.weight": (rng.standard_normal((64, 784)) * 0.05).astype(np.float32), "hidden.bias": np.zeros(64, np.float32),
            "output.weight": (rng.standard_normal((10, 64)) * 0.1).astype(np.float32), "output.bias": np.zeros(10, np.float32)})

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def fields(self, task, partition_id, num_partitions, config=None, **extra):
        work = self.tmp / f"work-{partition_id}"
        work.mkdir(exist_ok=True)
        f = {"task": task, "round": 1, "model_in": str(self.model_in), "model_out": str(work / "update.safetensors"),
             "metrics_out": str(work / f"{task}.json"), "data_dir": str(self.tmp / "not-read"),  # by-id ignores data-path
             "config": {"partitioning": "by-id", "dataset-dir": str(self.dataset)} if config is None else config,
             "cluster": f"cluster{partition_id}", "partition_id": partition_id, "num_partitions": num_partitions, "work_dir": str(work)}
        return f | extra

    def run_task(self, **kw):
        f = self.fields(**kw)
        p = subprocess.run([sys.executable, str(ADAPTER), "run", "--app", str(FLOWER_MNIST)], env=contract_env(**f),
                           cwd=f["work_dir"], capture_output=True, text=True, timeout=120)
        return p, f

    def test_two_partitions_are_disjoint_and_cover_the_set(self):
        from unittest import mock

        host = ff.Host(ff.App(FLOWER_MNIST))  # in process, to see the examples the app is handed
        task = sys.modules["flowermnist.task"]
        seen = {}
        for pid in (0, 1):
            for kind, function in (("train", "train"), ("evaluate", "evaluate")):
                with mock.patch.object(task, function, wraps=getattr(task, function)) as spy:
                    host.run(ff.parse_task(self.fields(kind, pid, 2)))
                x, y = spy.call_args.args[1:3]
                index = np.rint(x[:, 0] * 255).astype(int) * 256 + np.rint(x[:, 1] * 255).astype(int)
                np.testing.assert_array_equal(y, index % 10, "each image keeps its label")
                seen[pid, kind] = set(index.tolist())
        shards = [seen[pid, "train"] | seen[pid, "evaluate"] for pid in (0, 1)]
        for pid in (0, 1):
            self.assertFalse(seen[pid, "train"] & seen[pid, "evaluate"], "evaluate holds out examples train does not see")
        self.assertFalse(shards[0] & shards[1], "the partitions are disjoint")
        self.assertEqual(shards[0] | shards[1], set(range(self.N)), "together they hold the whole set")
        self.assertEqual(sorted(map(len, shards)), [51, 52])

    def test_train_reports_its_partitions_size(self):
        sizes = [len(a) for a in np.array_split(np.arange(self.N), 3)]  # 35, 34, 34
        for pid in (0, 2):
            with self.subTest(partition=pid):
                held_out = int(sizes[pid] * 0.1)  # flower-mnist keeps 10% for evaluate
                p, f = self.run_task(task="train", partition_id=pid, num_partitions=3)
                self.assertEqual(p.returncode, 0, p.stderr)
                self.assertEqual(json.loads(Path(f["metrics_out"]).read_text())["num-examples"], sizes[pid] - held_out)
                p, f = self.run_task(task="evaluate", partition_id=pid, num_partitions=3)
                self.assertEqual(p.returncode, 0, p.stderr)
                self.assertEqual(json.loads(Path(f["metrics_out"]).read_text())["num-examples"], held_out)

    def test_errors(self):
        absent = self.tmp / "absent"
        cases = {
            "missing dataset-dir": ({"partitioning": "by-id", "dataset-dir": str(absent)}, f"FileNotFoundError: dataset-dir {absent} "
                                    "holds no train-images-idx3-ubyte and no train-labels-idx1-ubyte"),
            "no dataset-dir": ({"partitioning": "by-id"}, "partitioning = \"by-id\" needs the run config's dataset-dir"),
            "unknown mode": ({"partitioning": "by-name"}, 'partitioning must be "data-path" or "by-id", got \'by-name\''),
        }
        for case, (config, reason) in cases.items():
            with self.subTest(case=case):
                p, f = self.run_task(task="train", partition_id=0, num_partitions=2, config=config)
                self.assertEqual(p.returncode, 1, p.stderr)
                self.assertIn(reason, p.stderr.strip().splitlines()[-1])
                self.assertFalse(Path(f["model_out"]).exists())

    @unittest.skipUnless((MNIST / "train-images-idx3-ubyte").exists(), f"MNIST is not cached in {MNIST}")
    def test_a_quarter_of_mnist(self):
        p, f = self.run_task(task="train", partition_id=3, num_partitions=4,
                             config={"partitioning": "by-id", "dataset-dir": str(MNIST)})
        self.assertEqual(p.returncode, 0, p.stderr)
        metrics = json.loads(Path(f["metrics_out"]).read_text())
        self.assertEqual(metrics["num-examples"], 13500)  # 15,000 less the 10% held out
        self.assertLess(metrics["train-loss"], 1.0)


@unittest.skipUnless(importlib.util.find_spec("torch"), "torch is not installed (examples/pytorch-mnist is not in CI)")
class PytorchMnistTests(unittest.TestCase):
    """examples/pytorch-mnist through the adapter: its initial model, one train and one evaluate task."""

    def test_initial_model_train_and_evaluate(self):
        tmp = Path(tempfile.mkdtemp(prefix="flotilla-pytorch-"))
        self.addCleanup(shutil.rmtree, tmp, ignore_errors=True)
        data = tmp / "data"
        data.mkdir()
        rng = np.random.default_rng(4)
        write_idx(data / "train-images-idx3-ubyte", rng.integers(0, 256, (120, 28, 28), dtype=np.uint8))
        write_idx(data / "train-labels-idx1-ubyte", rng.integers(0, 10, 120, dtype=np.uint8))

        p = subprocess.run([sys.executable, str(ADAPTER), "initial-model", "--app", str(PYTORCH_MNIST), "--out",
                            str(tmp / "initial.safetensors")], env=contract_env(), capture_output=True, text=True, timeout=300)
        self.assertEqual(p.returncode, 0, p.stderr)
        initial = ff.read_safetensors(tmp / "initial.safetensors")
        self.assertEqual({k: list(v.shape) for k, v in initial.items()}, {
            "conv1.weight": [8, 1, 3, 3], "conv1.bias": [8], "conv2.weight": [16, 8, 3, 3], "conv2.bias": [16],
            "fc1.weight": [64, 400], "fc1.bias": [64], "fc2.weight": [10, 64], "fc2.bias": [10]})

        common = dict(round=1, model_in=str(tmp / "initial.safetensors"), data_dir=str(data), config={}, cluster="c1",
                      partition_id=0, num_partitions=1, work_dir=str(tmp))
        for task, outputs in (("train", {"model_out": str(tmp / "update.safetensors"), "metrics_out": str(tmp / "train.json")}),
                              ("evaluate", {"metrics_out": str(tmp / "eval.json")})):
            p = subprocess.run([sys.executable, str(ADAPTER), "run", "--app", str(PYTORCH_MNIST)], cwd=tmp, capture_output=True, text=True,
                               timeout=300, env=contract_env(task=task, **common, **outputs))
            self.assertEqual(p.returncode, 0, p.stderr)
        update = ff.read_safetensors(tmp / "update.safetensors")
        self.assertEqual(list(update), list(initial), "the state_dict's names, in the model's order")
        self.assertEqual({k: v.shape for k, v in update.items()}, {k: v.shape for k, v in initial.items()})
        self.assertFalse(np.array_equal(update["fc2.weight"], initial["fc2.weight"]), "it trained")
        train = json.loads((tmp / "train.json").read_text())
        self.assertEqual(train["num-examples"], 108)  # 10% held out for evaluate
        self.assertTrue(np.isfinite(train["train-loss"]))
        self.assertEqual(json.loads((tmp / "eval.json").read_text())["num-examples"], 12)


@unittest.skipUnless((MNIST / "t10k-images-idx3-ubyte").exists(), f"MNIST is not cached in {MNIST} (scripts/setup)")
class MnistTests(unittest.TestCase):
    """The example trainers learn MNIST through the contract."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = Path(tempfile.mkdtemp(prefix="flotilla-mnist-"))
        images = read_idx(MNIST / "train-images-idx3-ubyte")
        labels = read_idx(MNIST / "train-labels-idx1-ubyte")
        cls.shards = []
        for name, digits in (("low", labels < 5), ("high", labels >= 5)):  # disjoint digits
            d = cls.tmp / "data" / name
            d.mkdir(parents=True)
            write_idx(d / "train-images-idx3-ubyte", images[digits])
            write_idx(d / "train-labels-idx1-ubyte", labels[digits])
            cls.shards.append(d)
        cls.x_test = read_idx(MNIST / "t10k-images-idx3-ubyte").reshape(-1, 784).astype(np.float32) / 255
        cls.y_test = read_idx(MNIST / "t10k-labels-idx1-ubyte").astype(np.int64)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def initial_model(self, path):
        p = subprocess.run([sys.executable, str(ADAPTER), "initial-model", "--app", str(FLOWER_MNIST), "--out", str(path)], env=contract_env(),
                           capture_output=True, text=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        return ff.read_safetensors(path)

    def test_initial_model_from_the_server_app(self):
        model = self.initial_model(self.tmp / "initial.safetensors")
        self.assertEqual({k: list(v.shape) for k, v in model.items()}, {
            "hidden.weight": [64, 784], "hidden.bias": [64], "output.weight": [10, 64], "output.bias": [10]})

    def test_initial_model_takes_the_jobs_config_over_the_run_config(self):
        # flotilla submit passes the job's trainer.config, as the tasks get it.
        path = self.tmp / "initial-16.safetensors"
        p = subprocess.run([sys.executable, str(ADAPTER), "initial-model", "--app", str(FLOWER_MNIST), "--out", str(path)],
                           env=contract_env(config={"hidden-units": 16}), capture_output=True, text=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(list(ff.read_safetensors(path)["hidden.weight"].shape), [16, 784])
        bad = subprocess.run([sys.executable, str(ADAPTER), "initial-model", "--app", str(FLOWER_MNIST), "--out", str(path)],
                             env=contract_env(config="[1, 2]"), capture_output=True, text=True, timeout=120)
        self.assertEqual(bad.returncode, 1)
        self.assertIn("FLOTILLA_CONFIG must be a JSON object", bad.stderr)

    def test_flower_app_fedavg_on_two_disjoint_shards(self):
        rounds = 3
        model_path = self.tmp / "round-0.safetensors"
        initial = self.initial_model(model_path)
        self.assertLess(accuracy(initial, self.x_test, self.y_test), 0.3)

        # One long-lived adapter per cluster, as a collaborator would keep it for a job.
        clusters = []
        for i, data in enumerate(self.shards):
            work = self.tmp / f"work-{i}"
            work.mkdir()
            proc = subprocess.Popen([sys.executable, str(ADAPTER), "serve", "--app", str(FLOWER_MNIST)], env=contract_env(),
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
            clusters.append((proc, data, work))
        try:
            for r in range(1, rounds + 1):
                started = time.monotonic()
                for i, (proc, data, work) in enumerate(clusters):  # send to both, then wait: they train at once
                    task = {"task": "train", "round": r, "model_in": str(model_path),
                            "model_out": str(work / f"update-{r}.safetensors"), "metrics_out": str(work / f"metrics-{r}.json"),
                            "data_dir": str(data), "config": {}, "cluster": f"cluster{i}", "partition_id": i,
                            "num_partitions": 2, "work_dir": str(work)}
                    proc.stdin.write(json.dumps(task) + "\n")
                    proc.stdin.flush()
                updates = []
                for proc, data, work in clusters:
                    self.assertEqual(without_timing(json.loads(proc.stdout.readline())), {"ok": True})
                    metrics = json.loads((work / f"metrics-{r}.json").read_text())
                    self.assertGreater(metrics["num-examples"], 20000)
                    self.assertTrue(np.isfinite(metrics["train-loss"]))
                    updates.append((ff.read_safetensors(work / f"update-{r}.safetensors"), metrics["num-examples"]))
                # FedAvg: the example-weighted mean, as Flotilla's aggregator and Flower's FedAvg compute it.
                total = sum(n for _, n in updates)
                model = {k: sum(u[k].astype(np.float64) * (n / total) for u, n in updates).astype(np.float32) for k in initial}
                model_path = self.tmp / f"round-{r}.safetensors"
                ff.write_safetensors(model_path, model)
                acc = accuracy(model, self.x_test, self.y_test)
                print(f"\n  round {r}: t10k accuracy {acc:.4f}, {time.monotonic() - started:.1f}s", file=sys.stderr, end="")
            print(file=sys.stderr)

            for i, (proc, data, work) in enumerate(clusters):
                task = {"task": "evaluate", "round": rounds, "model_in": str(model_path),
                        "metrics_out": str(work / "eval.json"), "data_dir": str(data), "config": {},
                        "cluster": f"cluster{i}", "partition_id": i, "num_partitions": 2, "work_dir": str(work)}
                proc.stdin.write(json.dumps(task) + "\n")
                proc.stdin.flush()
                self.assertEqual(without_timing(json.loads(proc.stdout.readline())), {"ok": True})
                metrics = json.loads((work / "eval.json").read_text())
                self.assertEqual(set(metrics), {"num-examples", "eval-loss", "eval-acc"})
                self.assertGreater(metrics["eval-acc"], 0.7)
            for proc, _, _ in clusters:
                proc.stdin.close()
                self.assertEqual(proc.wait(timeout=60), 0)
        finally:
            for proc, _, _ in clusters:
                if proc.poll() is None:
                    proc.kill()
                proc.stdout.close()
        self.assertGreaterEqual(acc, 0.80)

    def test_command_trainer_through_the_contract(self):
        rng = np.random.default_rng(0)
        f32 = np.float32
        models = {
            "mlp": {"hidden.weight": (rng.standard_normal((64, 784)) * 0.05).astype(f32), "hidden.bias": np.zeros(64, f32),
                    "output.weight": (rng.standard_normal((10, 64)) * 0.1).astype(f32), "output.bias": np.zeros(10, f32)},
            "logistic": {"dense.weight": np.zeros((10, 784), f32), "dense.bias": np.zeros(10, f32)},
        }
        data = self.tmp / "data" / "mixed"  # 6,000 examples of all digits
        data.mkdir(parents=True, exist_ok=True)
        write_idx(data / "train-images-idx3-ubyte", read_idx(MNIST / "train-images-idx3-ubyte")[:6000])
        write_idx(data / "train-labels-idx1-ubyte", read_idx(MNIST / "train-labels-idx1-ubyte")[:6000])
        for kind, model in models.items():
            with self.subTest(model=kind):
                work = self.tmp / f"cmd-{kind}"
                work.mkdir()
                ff.write_safetensors(work / "global.safetensors", model)
                common = dict(round=1, model_in=str(work / "global.safetensors"), data_dir=str(data),
                              config={"learning-rate": 0.1}, cluster="c1", partition_id=0, num_partitions=1, work_dir=str(work))
                p = subprocess.run([sys.executable, str(COMMAND_TRAINER)], cwd=work, capture_output=True, text=True, timeout=300,
                                   env=contract_env(task="train", model_out=str(work / "update.safetensors"),
                                                    metrics_out=str(work / "train.json"), **common))
                self.assertEqual(p.returncode, 0, p.stderr)
                update = ff.read_safetensors(work / "update.safetensors")
                self.assertEqual({k: v.shape for k, v in update.items()}, {k: v.shape for k, v in model.items()})
                self.assertEqual(list(update), list(model))
                metrics = json.loads((work / "train.json").read_text())
                self.assertEqual(metrics["num-examples"], 5400)
                self.assertGreater(accuracy(update, self.x_test, self.y_test), 0.8)

                common["model_in"] = str(work / "update.safetensors")
                p = subprocess.run([sys.executable, str(COMMAND_TRAINER)], cwd=work, capture_output=True, text=True, timeout=300,
                                   env=contract_env(task="evaluate", metrics_out=str(work / "eval.json"), **common))
                self.assertEqual(p.returncode, 0, p.stderr)
                metrics = json.loads((work / "eval.json").read_text())
                self.assertEqual(metrics["num-examples"], 600)
                self.assertGreater(metrics["eval-acc"], 0.8)


if __name__ == "__main__":
    unittest.main()
