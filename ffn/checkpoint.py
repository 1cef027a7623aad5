"""A training run's whole state, taken and put back bit-exactly.

A checkpoint holds what a :class:`~ffn.trainer.Trainer` needs to go on as if it had never
stopped: the weights and batch normalisation's running statistics, the optimizer's state,
the iteration, the epoch's batch order, the random generators' states (the batches' and
dropout's), the copy of the weights kept against a blow-up, and the history.
Pausing a run in the app takes one, which frees the worker process that ran it; resuming
builds a trainer from the same settings and puts the checkpoint back.

A checkpoint is a dict of NumPy arrays, numbers, strings, lists and dicts: it crosses a
pipe between the app's own processes. It is never read from a file a user hands in.
"""
import copy

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
