"""A training run's whole state, taken and put back bit-exactly.

A checkpoint holds what a :class:`~ffn.trainer.Trainer` needs to go on as if it had never
stopped: the weights and batch normalisation's running statistics, the optimizer's state,
the iteration, the epoch's batch order, the random generators' states (the batches' and
dropout's), the copy of the weights kept against a blow-up, and the history.
Pausing a run in the app takes one, which frees the worker process that ran it; resuming
builds a trainer from the same settings and puts the checkpoint back.

A checkpoint is a dict of NumPy arrays, numbers, strings, tuples, lists and dicts. The
app's server keeps a paused run's on disk (:func:`save`, :func:`load`): an ``.npz`` of its
arrays and its other values as JSON, read back without unpickling anything. It is never
read from a file a user hands in.
"""
import copy
import json
import os
import tempfile

import numpy as np

_OPTIMIZER_SCALARS = ("lr", "iter", "momentum", "beta1", "beta2", "eps", "decay_rate")
_OPTIMIZER_ARRAYS = ("m", "v", "h")  # its state; its scratch array (_tmp) is made anew


def take(trainer):
    """The state of ``trainer`` as a dict (see the module's docstring).

    Call it between two calls of ``trainer.step``: the trainer is not locked here.
    """
    opt = trainer.optimizer
    return {
        "iteration": trainer.iteration, "status": trainer.status,
        "outcome": copy.deepcopy(trainer.outcome), "advice": copy.deepcopy(trainer.advice),
        "train_seconds": trainer.train_seconds, "history": copy.deepcopy(trainer.history),
        "params": trainer.net.state_vector.copy(),  # the weights, then batch norm's running statistics
        "net_rng": copy.deepcopy(trainer.net.rng.bit_generator.state),  # dropout's masks
        "good": trainer._good.copy(), "good_iteration": trainer._good_iteration,
        "order": None if trainer._order is None else trainer._order.copy(),
        "rng": copy.deepcopy(trainer.rng.bit_generator.state),
        "base_lr": trainer.base_lr,
        "optimizer": {
            "type": type(opt).__name__,
            "scalars": {k: getattr(opt, k) for k in _OPTIMIZER_SCALARS if hasattr(opt, k)},
            "arrays": {k: {key: a.copy() for key, a in getattr(opt, k).items()}
                       for k in _OPTIMIZER_ARRAYS if isinstance(getattr(opt, k, None), dict)},
        },
    }


def restore(trainer, state):
    """Put ``state`` (from :func:`take`) back into ``trainer``, built from the same settings.

    Raises
    ------
    ValueError
        If the state does not fit this trainer: another optimizer or another network size.
    """
    opt = trainer.optimizer
    saved = state["optimizer"]
    if saved["type"] != type(opt).__name__:
        raise ValueError(f"the checkpoint is of a {saved['type']} run, "
                         f"this trainer uses {type(opt).__name__}")
    params = np.asarray(state["params"])
    if params.shape != trainer.net.state_vector.shape:
        raise ValueError(f"the checkpoint has {params.size} parameters and statistics, this network "
                         f"{trainer.net.state_vector.size}")
    np.copyto(trainer.net.state_vector, params)  # in place: the layers keep their arrays
    trainer.net.rng.bit_generator.state = copy.deepcopy(state["net_rng"])
    np.copyto(trainer._good, state["good"])
    trainer._good_iteration = state["good_iteration"]
    trainer.iteration, trainer.status = state["iteration"], state["status"]
    trainer.outcome, trainer.advice = copy.deepcopy(state["outcome"]), copy.deepcopy(state["advice"])
    trainer.train_seconds, trainer.history = state["train_seconds"], copy.deepcopy(state["history"])
    trainer._order = None if state["order"] is None else np.array(state["order"])
    trainer.rng.bit_generator.state = copy.deepcopy(state["rng"])
    trainer.base_lr = state["base_lr"]
    for k, v in saved["scalars"].items():
        setattr(opt, k, v)
    for k, arrays in saved["arrays"].items():
        setattr(opt, k, {key: np.array(a) for key, a in arrays.items()})
        opt._tmp = {key: np.empty_like(a) for key, a in arrays.items()}  # scratch: its values don't matter
    return trainer


_META = "checkpoint.json"  # the member holding everything but the arrays
_PARAMS = "params"         # the member holding the weights and statistics (see :func:`load_params`)


def save(state, folder=None):
    """Write ``state`` (from :func:`take`) to a new file in ``folder`` (default: the system's
    temporary folder); returns its path. The file appears whole or not at all."""
    arrays = {}
    meta = _encode(state, arrays, "")
    fd, part = tempfile.mkstemp(suffix=".part", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **{_META: np.frombuffer(json.dumps(meta).encode(), np.uint8)}, **arrays)
        path = part[:-len(".part")] + ".npz"
        os.replace(part, path)
    except BaseException:
        os.unlink(part)
        raise
    return path


def load(path):
    """The state :func:`save` wrote to ``path``."""
    with np.load(path, allow_pickle=False) as z:
        arrays = {name: z[name] for name in z.files}
    return _decode(json.loads(arrays.pop(_META).tobytes()), arrays)


def load_params(path):
    """Only the weights and statistics (``state['params']``) of the state at ``path``."""
    with np.load(path, allow_pickle=False) as z:
        return z[_PARAMS]


def _encode(value, arrays, where):
    """``value`` as JSON's types, its arrays moved to ``arrays`` under their place in it."""
    if isinstance(value, np.ndarray):
        name = where.strip("/") or "array"
        arrays[name] = value
        return {"__array__": name}
    if isinstance(value, np.generic):
        return {"__scalar__": value.dtype.str, "value": value.item()}
    if isinstance(value, tuple):
        return {"__tuple__": [_encode(v, arrays, f"{where}/{i}") for i, v in enumerate(value)]}
    if isinstance(value, list):
        return [_encode(v, arrays, f"{where}/{i}") for i, v in enumerate(value)]
    if isinstance(value, dict):
        if not all(isinstance(k, str) and not k.startswith("__") for k in value):
            raise TypeError(f"a checkpoint's keys are strings without a leading '__', "
                            f"got {list(value)!r:.200}")
        return {k: _encode(v, arrays, f"{where}/{k}") for k, v in value.items()}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(f"a checkpoint holds no {type(value).__name__}")


def _decode(value, arrays):
    if isinstance(value, list):
        return [_decode(v, arrays) for v in value]
    if not isinstance(value, dict):
        return value
    if "__array__" in value:
        return arrays[value["__array__"]]
    if "__scalar__" in value:
        return np.dtype(value["__scalar__"]).type(value["value"])
    if "__tuple__" in value:
        return tuple(_decode(v, arrays) for v in value["__tuple__"])
    return {k: _decode(v, arrays) for k, v in value.items()}
