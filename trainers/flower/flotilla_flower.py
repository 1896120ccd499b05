#!/usr/bin/env python3
"""Runs a Flower app's ClientApp, unchanged, as a Flotilla trainer (docs/trainer-contract.md).

  flotilla_flower.py run --app DIR            one task, described by the FLOTILLA_* environment
  flotilla_flower.py serve --app DIR          many tasks: one JSON object a line on stdin, one
                                              {"ok": ...} line back on stdout
  flotilla_flower.py initial-model --app DIR --out FILE
                                              the initial_arrays the app's ServerApp hands to
                                              its strategy's start(...), as safetensors

The task becomes the Message Flower's FedAvg would send (content "arrays" + "config", type
train/evaluate) and the Context a SuperNode would give (run_config, node_config); the app's
reply becomes the update (safetensors) and the metrics (JSON). Needs numpy and flwr only.
"""

import argparse
import hashlib
import importlib
import io
import json
import math
import os
import re
import sys
import time
import tomllib
import traceback
import uuid
from pathlib import Path

import numpy as np

PROG = "flotilla-flower"
METRIC_NAME = re.compile(r"[A-Za-z0-9_.-]{1,64}")
MAX_METRICS = 64
SUPERLINK_NODE_ID = 1  # the src_node_id of every instruction a real SuperLink delivers


class TaskError(Exception):
    """A task failed; the message is the reason the collaborator reports."""


# ---- safetensors, F32 only (8-byte little-endian header length, JSON header, raw data) ----

def read_safetensors(path) -> dict[str, np.ndarray]:
    """Tensor name -> read-only float32 view of the file's bytes, in file order."""
    try:
        data = Path(path).read_bytes()
    except OSError as e:
        raise TaskError(f"cannot read the model: {e}") from None
    return {name: np.frombuffer(data, dtype="<f4", offset=begin, count=(end - begin) // 4).reshape(shape)
            for name, shape, begin, end in tensor_layout(path, data, len(data))}


def tensor_layout(path, head, size: int) -> list[tuple[str, tuple, int, int]]:
    """The F32 tensors of a safetensors file as (name, shape, begin, end), offsets into the
    file, in file order. `head`: the file's first bytes, at least through its JSON header;
    `size`: the file's length."""
    if size < 8 or len(head) < 8:
        raise TaskError(f"{path}: too short for a safetensors file")
    header_size = int.from_bytes(head[:8], "little")
    if header_size < 2 or 8 + header_size > size or 8 + header_size > len(head):
        raise TaskError(f"{path}: header length {header_size} out of range")
    try:
        header = json.loads(bytes(head[8:8 + header_size]))
    except ValueError as e:
        raise TaskError(f"{path}: header is not JSON: {e}") from None
    if not isinstance(header, dict):
        raise TaskError(f"{path}: header is not a JSON object")
    body, body_size = 8 + header_size, size - 8 - header_size
    layout = []
    try:
        entries = sorted(((k, v) for k, v in header.items() if k != "__metadata__"), key=lambda kv: kv[1]["data_offsets"][0])
        for name, entry in entries:
            if entry["dtype"] != "F32":
                raise TaskError(f"{path}: tensor {name} is {entry['dtype']}, only F32 is supported")
            shape = tuple(int(d) for d in entry["shape"])
            begin, end = (int(o) for o in entry["data_offsets"])
            if end - begin != 4 * math.prod(shape) or not 0 <= begin <= end <= body_size or min(shape, default=0) < 0:
                raise TaskError(f"{path}: tensor {name} has offsets {begin}..{end} that do not fit shape {list(shape)}")
            layout.append((name, shape, body + begin, body + end))
    except (KeyError, TypeError, ValueError) as e:
        raise TaskError(f"{path}: malformed header entry: {type(e).__name__}: {e}") from None
    return layout


class _NpyStream(io.RawIOBase):
    """A .npy header, then `count` bytes of a file from `offset`, as one raw stream.

    io.BufferedReader(stream).read(n) returns them as one new `bytes` (what an Array's data
    must be), and CPython's reader passes all but the last few KB of a large read straight to
    readinto here with that object's own memory: the kernel copies the tensor from the page
    cache into it, once, and the fresh pages are touched only by that copy. (Building the bytes
    from a mapped file or a numpy array copies in user space into pages that fault one by one:
    half the speed on this VM.)"""

    def __init__(self, npy_header: bytes, fd: int, offset: int, count: int):
        self.npy_header, self.fd, self.offset, self.count, self.pos = npy_header, fd, offset, count, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        buffer = memoryview(buffer).cast("B")
        header = len(self.npy_header)
        if self.pos < header:
            n = min(len(buffer), header - self.pos)
            buffer[:n] = self.npy_header[self.pos:self.pos + n]
        else:
            at = self.pos - header
            n = os.preadv(self.fd, [buffer[:self.count - at]], self.offset + at) if at < self.count else 0
        self.pos += n
        return n


def read_safetensors_as_arrays(path):
    """The model as Flower `Array`s, each built by its documented dtype/shape/stype/data form
    from .npy bytes that the file's tensor is read into once (see _NpyStream): returns
    (name -> shape, name -> Array)."""
    from flwr.app import Array
    from numpy.lib import format as npy

    shapes, arrays = {}, {}
    try:
        with open(path, "rb", buffering=0) as f:
            size = os.fstat(f.fileno()).st_size
            head = f.read(8)
            if len(head) == 8:
                head += f.read(min(int.from_bytes(head, "little"), size))
            for name, shape, begin, end in tensor_layout(path, head, size):
                header = io.BytesIO()
                npy.write_array_header_1_0(header, {"descr": "<f4", "fortran_order": False, "shape": shape})
                npy_header = header.getvalue()
                data = io.BufferedReader(_NpyStream(npy_header, f.fileno(), begin, end - begin)).read(len(npy_header) + end - begin)
                if len(data) != len(npy_header) + end - begin:
                    raise TaskError(f"{path}: the file ended inside tensor {name}")
                shapes[name] = shape
                arrays[name] = Array(dtype="float32", shape=shape, stype="numpy.ndarray", data=data)
    except OSError as e:
        raise TaskError(f"cannot read the model: {e}") from None
    return shapes, arrays


def array_view(array) -> np.ndarray:
    """A Flower Array as float32 without copying when it holds C-order little-endian float32
    .npy bytes (what numpy apps send back); otherwise converted (one copy)."""
    from numpy.lib import format as npy

    if getattr(array, "stype", None) == "numpy.ndarray":
        stream = io.BytesIO(array.data)
        try:
            version = npy.read_magic(stream)
            shape, fortran, dtype = (npy.read_array_header_1_0 if version == (1, 0) else npy.read_array_header_2_0)(stream)
        except ValueError:
            shape, fortran, dtype = None, True, None
        if not fortran and dtype == np.dtype("<f4"):
            return np.frombuffer(array.data, dtype="<f4", offset=stream.tell(), count=math.prod(shape)).reshape(shape)
    return array.numpy()


def all_finite(a: np.ndarray) -> bool:
    """One pass without a temporary: a finite sum proves every value finite (NaN and infinity
    propagate); only an overflowing sum needs the exact check."""
    return bool(np.isfinite(a.sum())) or bool(np.isfinite(a).all())


def write_safetensors(path, tensors: dict[str, np.ndarray]) -> None:
    """Writes the tensors as F32 in the given order, without __metadata__."""
    tensors = {name: as_f32(name, a) for name, a in tensors.items()}  # no copy when already F32
    header, offset = {}, 0
    for name, a in tensors.items():
        header[name] = {"dtype": "F32", "shape": list(a.shape), "data_offsets": [offset, offset + a.nbytes]}
        offset += a.nbytes
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * (-(8 + len(raw)) % 64)  # the data at a multiple of 64, as Flotilla's own files (SafeTensorsFile)
    tmp = f"{path}.tmp-{os.getpid()}"  # a failed task never leaves half a model behind
    with open(tmp, "wb") as f:
        f.write(len(raw).to_bytes(8, "little"))
        f.write(raw)
        for a in tensors.values():
            f.write(a.data if a.size else b"")
    os.replace(tmp, path)


def as_f32(name: str, a: np.ndarray) -> np.ndarray:
    """float32, little-endian, C-contiguous: at most one copy, none when it already is."""
    if not (np.issubdtype(a.dtype, np.floating) or np.issubdtype(a.dtype, np.integer)):
        raise TaskError(f"tensor {name} has dtype {a.dtype}; it must be a real number type")
    return np.asarray(a, dtype="<f4", order="C")  # not ascontiguousarray: it makes a scalar 1-D


# ---- the app ----

def _flatten(table: dict, prefix: str = "") -> dict:
    """Nested TOML tables become dotted keys, as Flower flattens [tool.flwr.app.config]."""
    out = {}
    for k, v in table.items():
        key = f"{prefix}.{k}" if prefix else k
        out.update(_flatten(v, key) if isinstance(v, dict) else {key: v})
    return out


class App:
    """A Flower app directory: its pyproject.toml's components and run config defaults."""

    def __init__(self, app_dir):
        self.dir = Path(app_dir).resolve()
        try:
            with open(self.dir / "pyproject.toml", "rb") as f:
                flwr_app = tomllib.load(f).get("tool", {}).get("flwr", {}).get("app", {})
        except (OSError, tomllib.TOMLDecodeError) as e:
            raise TaskError(f"cannot read {self.dir / 'pyproject.toml'}: {e}") from None
        self.components = flwr_app.get("components", {})
        self.defaults = _flatten(flwr_app.get("config", {}))

    def load(self, component: str, kind: type):
        """Imports "module:attr" of [tool.flwr.app.components], as Flower does, DIR on sys.path."""
        ref = self.components.get(component)
        if not isinstance(ref, str) or ":" not in ref:
            raise TaskError(f"{self.dir / 'pyproject.toml'} names no {component} in [tool.flwr.app.components] "
                            f"(expected {component} = \"module:attr\")")
        module_name, _, attrs = ref.partition(":")
        if str(self.dir) not in sys.path:
            sys.path.insert(0, str(self.dir))
        try:
            obj = importlib.import_module(module_name)
            for attr in attrs.split("."):
                obj = getattr(obj, attr)
        except (Exception, SystemExit) as e:  # SystemExit: an app that exits on import
            traceback.print_exc(file=sys.stderr)
            raise TaskError(f"cannot load {component} {ref!r}: {type(e).__name__}: {e}") from None
        if not isinstance(obj, kind):
            raise TaskError(f"{component} {ref!r} is a {type(obj).__name__}, not a {kind.__name__}")
        return obj

    def run_config(self, overrides: dict) -> dict:
        """The app's defaults overridden by the job's config (new keys added too)."""
        config = dict(self.defaults)
        for k, v in overrides.items():
            # A job's JSON writes 1 where the app's TOML wrote 1.0: keep the app's float.
            if isinstance(config.get(k), float) and isinstance(v, int) and not isinstance(v, bool):
                v = float(v)
            config[k] = v
        return config


def stable_id(text: str) -> int:
    """A positive 63-bit id that stays the same across rounds and processes."""
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big") >> 1


# ---- one task ----

def parse_config(value, name: str = "config") -> dict:
    """The job's config (a JSON object, or one already decoded), checked: what a ConfigRecord
    and a run_config can hold."""
    config = value or {}
    if isinstance(config, str):
        try:
            config = json.loads(config)
        except ValueError as e:
            raise TaskError(f"{name} is not JSON: {e}") from None
    if not isinstance(config, dict):
        raise TaskError(f"{name} must be a JSON object")
    for k, v in config.items():
        if not isinstance(v, (str, int, float, bool)):
            raise TaskError(f"{name} value {k} must be a string, a number or a boolean, got {type(v).__name__}")
    return config


def parse_task(fields: dict) -> dict:
    """The contract's fields (env names lowercased, without FLOTILLA_), checked and typed."""
    def need(key):
        if fields.get(key) in (None, ""):
            raise TaskError(f"missing {key}")
        return fields[key]

    task = str(need("task"))
    if task not in ("train", "evaluate"):
        raise TaskError(f"task must be train or evaluate, got {task!r}")
    config = parse_config(fields.get("config"))
    try:
        rnd, pid, nparts = int(need("round")), int(fields.get("partition_id") or 0), int(fields.get("num_partitions") or 1)
    except ValueError as e:
        raise TaskError(f"round, partition_id and num_partitions must be integers: {e}") from None
    if rnd < 1:
        raise TaskError(f"round must be >= 1, got {rnd}")
    return {
        "task": task, "round": rnd, "config": config,
        "model_in": need("model_in"), "model_out": need("model_out") if task == "train" else fields.get("model_out"),
        "metrics_out": need("metrics_out"), "data_dir": fields.get("data_dir") or "",
        "cluster": fields.get("cluster") or "", "partition_id": pid, "num_partitions": nparts,
        "work_dir": fields.get("work_dir") or os.getcwd(),
    }


class Host:
    """Runs tasks against one loaded ClientApp; keeps each job's Context.state across tasks."""

    def __init__(self, app: App):
        try:
            from flwr.clientapp import ClientApp
        except ImportError as e:
            raise TaskError(f"cannot import flwr ({e}); install it: python3 -m pip install flwr==1.42.0") from None
        self.app = app
        self.client_app = app.load("clientapp", ClientApp)
        self.states = {}  # work_dir -> RecordDict, as a SuperNode keeps it for a run

    def run(self, t: dict) -> float:
        """Runs one task; returns the seconds the app itself took (for the overhead benchmark)."""
        from flwr.app import DEFAULT_TTL, Array, ArrayRecord, ConfigRecord, Context, Message, MessageType, Metadata, RecordDict

        arrays_in, arrays = read_safetensors_as_arrays(t["model_in"])  # name -> shape; one copy
        content = RecordDict({
            "arrays": ArrayRecord(arrays),
            # FedAvg's configure_train/evaluate: the config, then the current round.
            "config": ConfigRecord({**t["config"], "server-round": t["round"]}),
        })
        run_id, node_id = stable_id("run:" + str(t["work_dir"])), stable_id("node:" + t["cluster"])
        message = Message(content=content, metadata=Metadata(
            run_id=run_id, message_id=uuid.uuid4().hex, src_node_id=SUPERLINK_NODE_ID, dst_node_id=node_id,
            reply_to_message_id="", group_id="", created_at=time.time(), ttl=DEFAULT_TTL,
            message_type=MessageType.TRAIN if t["task"] == "train" else MessageType.EVALUATE,
        ))
        node_config = {"partition-id": t["partition_id"], "num-partitions": t["num_partitions"], "cluster-name": t["cluster"]}
        if t["data_dir"]:
            node_config["data-path"] = t["data_dir"]
        state = self.states.setdefault(str(t["work_dir"]), RecordDict())
        context = Context(run_id=run_id, node_id=node_id, node_config=node_config, state=state,
                          run_config=self.app.run_config(t["config"]))

        started = time.perf_counter()
        try:
            reply = self.client_app(message, context)  # what flwr's run_clientapp calls
        except (Exception, SystemExit) as e:  # SystemExit: sys.exit() must not end a serving process
            traceback.print_exc(file=sys.stderr)
            raise TaskError(f"the ClientApp raised {type(e).__name__}: {e}") from None
        app_seconds = time.perf_counter() - started
        if not isinstance(reply, Message):
            raise TaskError(f"the ClientApp returned {type(reply).__name__}, not a Message")
        if reply.has_error():
            raise TaskError(f"the ClientApp replied with error {reply.error.code}: {reply.error.reason}")
        if not reply.has_content():
            raise TaskError("the ClientApp replied with no content")

        metrics = metrics_of(reply.content, t["task"])
        if t["task"] == "train":
            write_safetensors(t["model_out"], update_of(reply.content, arrays_in))
        write_metrics(t["metrics_out"], metrics)
        return app_seconds


def _the_record(records: dict, key: str, what: str):
    """Flower's convention key, else the only record of that kind (what FedAvg accepts)."""
    if key in records:
        return records[key]
    if len(records) == 1:
        return next(iter(records.values()))
    if not records:
        return None
    raise TaskError(f"the reply holds {len(records)} {what}s ({', '.join(records)}) and none is named {key!r}")


def update_of(content, arrays_in: dict) -> dict[str, np.ndarray]:
    """The reply's ArrayRecord as float32 arrays, exactly the input's names and shapes."""
    record = _the_record(content.array_records, "arrays", "ArrayRecord")
    if record is None:
        raise TaskError("the train reply holds no ArrayRecord (Flower's convention: content['arrays'])")
    if set(record.keys()) != set(arrays_in):
        missing, extra = sorted(set(arrays_in) - set(record.keys())), sorted(set(record.keys()) - set(arrays_in))
        raise TaskError(f"the reply's arrays differ from the model's tensor names: missing {missing}, unexpected {extra}")
    out = {}
    for name, expected in arrays_in.items():  # the input's order
        a = as_f32(name, array_view(record[name]))  # no copy for float32 numpy replies
        shape = tuple(getattr(expected, "shape", expected))
        if a.shape != shape:
            raise TaskError(f"tensor {name} has shape {list(a.shape)}, expected {list(shape)}")
        if not all_finite(a):
            raise TaskError(f"tensor {name} holds NaN or infinity")
        out[name] = a
    return out


def metrics_of(content, task: str) -> dict:
    """The reply's MetricRecord as the contract's metrics object."""
    record = _the_record(content.metric_records, "metrics", "MetricRecord")
    if record is None:
        raise TaskError("the reply holds no MetricRecord (Flower's convention: content['metrics'] with 'num-examples')")
    out = {}
    for name, value in record.items():
        if isinstance(value, list):
            print(f"{PROG}: note: metric {name} is a list; the contract carries numbers only, so it is left out", file=sys.stderr)
            continue
        if not METRIC_NAME.fullmatch(name):
            raise TaskError(f"metric name {name!r} must be 1..64 characters of A-Z a-z 0-9 _ . -")
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TaskError(f"metric {name} is not a number")
        if not math.isfinite(value):
            raise TaskError(f"metric {name} is not finite ({value})")
        out[name] = value
    if "num-examples" not in out:
        raise TaskError(f"the reply's metrics have no num-examples (FedAvg's weight); got {sorted(out)}")
    n = out["num-examples"]
    if n != int(n) or not 0 <= n < 1e15:
        raise TaskError(f"num-examples must be a non-negative integer, got {n}")
    out["num-examples"] = int(n)
    if task == "train" and n == 0:
        raise TaskError("num-examples is 0: a train task must learn from at least one example")
    if len(out) > MAX_METRICS:
        raise TaskError(f"the reply has {len(out)} metrics; at most {MAX_METRICS}")
    return out


def write_metrics(path, metrics: dict) -> None:
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "w") as f:
        json.dump(metrics, f, allow_nan=False)
    os.replace(tmp, path)


# ---- commands ----

def cmd_run(args) -> int:
    env = {k[len("FLOTILLA_"):].lower(): v for k, v in os.environ.items() if k.startswith("FLOTILLA_")}
    try:
        Host(App(args.app)).run(parse_task(env))
        return 0
    except TaskError as e:
        reason = str(e)
    except Exception as e:  # e.g. an unwritable output path
        traceback.print_exc(file=sys.stderr)
        reason = f"{type(e).__name__}: {e}"
    print(f"{PROG}: error: {reason}", file=sys.stderr)  # last line: the collaborator quotes the end
    return 1


def cmd_serve(args) -> int:
    # The protocol owns the real stdout; anything the app prints (Python or C) goes to stderr.
    sys.stdout.flush()
    replies = os.fdopen(os.dup(1), "w", buffering=1)
    requests = os.fdopen(os.dup(0), "r")
    os.dup2(2, 1)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)  # an app reading stdin must not swallow tasks
    try:
        host, load_error = Host(App(args.app)), None
    except TaskError as e:
        host, load_error = None, str(e)
        print(f"{PROG}: error: {e}", file=sys.stderr)
    home = os.getcwd()
    for line in requests:
        if not line.strip():
            continue
        try:
            if load_error:
                raise TaskError(load_error)
            try:
                fields = json.loads(line)
            except ValueError as e:
                raise TaskError(f"the request is not JSON: {e}") from None
            if not isinstance(fields, dict):
                raise TaskError("the request must be a JSON object")
            t = parse_task(fields)
            try:
                os.chdir(t["work_dir"])  # the contract's cwd
            except OSError as e:
                raise TaskError(f"cannot enter work_dir: {e}") from None
            seconds = host.run(t)
            answer = {"ok": True, "app-seconds": round(seconds, 6)}  # the time inside the ClientApp
        except TaskError as e:
            print(f"{PROG}: error: {e}", file=sys.stderr)
            answer = {"ok": False, "error": str(e)}
        except Exception as e:  # e.g. an unwritable output path: the next task may still work
            traceback.print_exc(file=sys.stderr)
            print(f"{PROG}: error: {type(e).__name__}: {e}", file=sys.stderr)
            answer = {"ok": False, "error": f"{type(e).__name__}: {e}"}
        finally:
            os.chdir(home)
        sys.stderr.flush()
        replies.write(json.dumps(answer) + "\n")
    return 1 if load_error else 0


def cmd_initial_model(args) -> int:
    """Runs the ServerApp until its strategy's start(...) and keeps the initial_arrays."""
    from flwr.app import Context, RecordDict
    from flwr.serverapp import Grid, ServerApp
    from flwr.serverapp.strategy import Strategy

    class Captured(Exception):
        pass

    class StandInGrid(Grid):
        """No nodes, no messages: the app must not get past start(...)."""

        def _refuse(self, *_, **__):
            raise TaskError("the ServerApp talked to the grid before calling its strategy's start(...)")

        set_run = create_message = push_messages = pull_messages = send_and_receive = get_nodes = _refuse
        run = property(_refuse)

        def get_node_ids(self):
            return []

    captured = {}

    def start(self, grid, initial_arrays, *args, **kwargs):
        captured["arrays"] = initial_arrays
        raise Captured

    try:
        app = App(args.app)
        server_app = app.load("serverapp", ServerApp)
        # Every strategy class that defines start(...), the app's own included (loaded by now).
        patched, todo = [], [Strategy]
        while todo:
            cls = todo.pop()
            todo.extend(cls.__subclasses__())
            if "start" in cls.__dict__:
                patched.append((cls, cls.__dict__["start"]))
                cls.start = start
        # The job's config overrides the app's run config here too, as it does for the tasks.
        overrides = parse_config(os.environ.get("FLOTILLA_CONFIG"), "FLOTILLA_CONFIG")
        context = Context(run_id=0, node_id=0, node_config={}, state=RecordDict(), run_config=app.run_config(overrides))
        try:
            server_app(StandInGrid(), context)
        except Captured:
            pass
        except TaskError:
            raise
        except Exception as e:
            traceback.print_exc(file=sys.stderr)
            raise TaskError(f"the ServerApp raised {type(e).__name__}: {e}") from None
        finally:
            for cls, original in patched:
                cls.start = original
        if "arrays" not in captured:
            raise TaskError("the ServerApp returned without calling its strategy's start(...)")
        tensors = {name: as_f32(name, array.numpy()) for name, array in captured["arrays"].items()}
        write_safetensors(args.out, tensors)
        print(f"{PROG}: wrote {len(tensors)} tensors ({sum(a.size for a in tensors.values())} parameters) to {args.out}",
              file=sys.stderr)
        return 0
    except TaskError as e:
        print(f"{PROG}: error: {e}", file=sys.stderr)
        return 1


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("run", "serve", "initial-model"):
        p = sub.add_parser(name)
        p.add_argument("--app", required=True, help="the Flower app's directory (holding pyproject.toml)")
        if name == "initial-model":
            p.add_argument("--out", required=True, help="the safetensors file to write")
    args = parser.parse_args(argv)
    return {"run": cmd_run, "serve": cmd_serve, "initial-model": cmd_initial_model}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
