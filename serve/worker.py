"""A training worker: one process of a :class:`serve.pool.TrainingPool`, running one run at a time.

It reads MNIST once, then waits on its pipe. Messages are tuples:

from the pool
    ``('run', job, spec)`` trains a run: ``spec`` holds ``settings`` (a dict of
    :class:`~ffn.settings.TrainSettings`), ``limits`` (a dict of
    :class:`~ffn.settings.Limits`), ``eval_size``, ``evals_per_run``, ``threads`` (BLAS
    threads), ``chunk`` (seconds between reports) and ``state`` (a checkpoint to go on
    from, or None). ``('stop', job)``, ``('pause', job)``, ``('cancel', job)`` and
    ``('threads', job, n)`` are read between two chunks. A spec with ``step`` trains one
    iteration, reports it whole (the series ``snapshot_step``) and pauses; one with
    ``task='gradcheck'`` trains nothing: it checks the gradients of the run's network (its
    ``params``, a parameter vector, or else the run's starting weights) and is done.
to the pool
    ``('ready', pid)`` once MNIST is loaded; ``('report', job, report)`` after each chunk;
    ``('paused', job, checkpoint)``; ``('done', job, result)``; ``('cancelled', job)``;
    ``('error', job, code, text)``.

A report carries only what is new since the last one: ``points`` maps each series of
the trainer's history (``loss``, ``valid_acc``, the gradient health...) to its new values,
so a later series is one more key, not a new message. A series named ``snapshot_...``
holds pictures of the run, of which only the latest matters: ``snapshot_w1`` (the first
layer's tiles, at most every ``SNAPSHOT_EVERY`` seconds and at the end of each stay),
``snapshot_w1_init`` (the same at initialisation) and ``snapshot_step`` (a Step).

The worker exits when its pipe closes: a server that dies leaves no worker behind. The
pool starts it as ``python -m serve.worker FD NICE [DATA_DIR]``, FD being its end of a
socket pair and DATA_DIR the MNIST files all workers share.
"""
import os
import time

import numpy as np

from ffn import checkpoint
from ffn.gradcheck import BATCH, gradient_check
from ffn.health import first_layer
from ffn.mnist import load_mnist, load_shared
from ffn.model_io import model_bytes
from ffn.settings import Limits, SettingsError, TrainSettings, build_trainer, run_metadata

SNAPSHOT_EVERY = 2.0  # seconds between two snapshots of the first layer
SNAPSHOT = "snapshot_"  # a series with this prefix keeps only its latest value, on its way and at the page


def main(conn, nice=10, limit_threads=None, data_dir=None):
    """The worker's loop. ``nice`` lowers its priority below the page's; ``limit_threads``
    is a callable ``n -> context manager`` limiting BLAS threads (threadpoolctl's by default);
    ``data_dir`` holds MNIST as :func:`ffn.mnist.save_shared` wrote it, mapped by every
    worker at once (default: this worker reads its own copy)."""
    try:
        os.nice(nice)
    except OSError:
        pass
    if limit_threads is None:
        from threadpoolctl import threadpool_limits

        def limit_threads(n):
            return threadpool_limits(limits=n, user_api="blas")
    data = load_mnist() if data_dir is None else load_shared(data_dir)
    try:
        conn.send(("ready", os.getpid()))
        while True:
            msg = conn.recv()
            if msg[0] == "run":
                _run(conn, msg[1], msg[2], data, limit_threads)
            # a stop or pause for a run that already ended needs no answer
    except (EOFError, OSError):
        return  # the pool is gone: its end of the pipe is closed


def _build(spec, data):
    (x, t), _ = data
    s = TrainSettings(**{**spec["settings"], "hidden_size_list": tuple(spec["settings"]["hidden_size_list"])})
    tr = build_trainer(s, x, t, limits=Limits(**spec["limits"]), eval_size=spec["eval_size"],
                       evals_per_run=spec["evals_per_run"])
    if spec.get("state") is not None:
        checkpoint.restore(tr, spec["state"])
    return s, tr


def _run(conn, job, spec, data, limit_threads):
    try:
        s, tr = _build(spec, data)
    except (SettingsError, ValueError) as e:
        conn.send(("error", job, getattr(e, "code", "settings"), str(e)))
        return
    threads = spec["threads"]
    if spec.get("task") == "gradcheck":
        _check(conn, job, spec, tr, limit_threads(threads))
        return
    if spec.get("stop_now"):  # a paused run that was stopped: only its final figures
        tr.stop()
    step = bool(spec.get("step")) and not tr.done
    if step:
        tr.health.capture_next()
    sent = {k: len(v) for k, v in tr.history.items()}
    snap = {"at": None, "init": tr.health.W1_init}
    while True:
        with limit_threads(threads):
            tr.step(max_seconds=spec["chunk"], max_iters=1 if step else None)
        conn.send(("report", job, _report(tr, sent, snap, last=step or tr.done)))
        asked = {}  # what arrived since the last chunk; cancel, then stop, win over pause
        while conn.poll():
            msg = conn.recv()
            if msg[1] == job:  # else meant for an earlier run
                asked[msg[0]] = msg
        if "cancel" in asked:  # nobody wants its figures: free the worker at once
            conn.send(("cancelled", job))
            return
        if ("stop" in asked or "pause" in asked) and not (step or tr.done):  # the stay ends here: its last tiles
            conn.send(("report", job, _report(tr, sent, snap, last=True)))
        if "threads" in asked:
            threads = asked["threads"][2]
        if "stop" in asked:
            tr.stop()
        elif ("pause" in asked or step) and not tr.done:
            conn.send(("paused", job, checkpoint.take(tr)))
            return
        if tr.done:
            break
    _, (xt, tt) = data
    with limit_threads(threads):
        final = tr.final_accuracy(xt, tt)
    tr.net.meta.update(run_metadata(tr, s, final, command=spec.get("command", "ffn worker")))
    conn.send(("done", job, {"outcome": tr.outcome, "final": final, "status": tr.status,
                             "iteration": tr.iteration, "model": model_bytes(tr.net)}))


def _check(conn, job, spec, tr, threads):
    """The gradient check of the run's network (``spec['params']``: its ``state_vector``, weights
    and running statistics; or its starting weights)."""
    try:
        params = spec.get("params")
        if params is not None:
            params = np.asarray(params, dtype=tr.net.dtype)
            if params.shape != tr.net.state_vector.shape:
                raise ValueError(f"expected {tr.net.state_vector.size} parameters and statistics, "
                                 f"got shape {params.shape}")
            tr.net.state_vector[...] = params
        with threads:
            rows = gradient_check(tr.net, tr.x_train[:BATCH], tr.t_train[:BATCH])
    except (ValueError, TypeError, FloatingPointError) as e:  # the worker lives on for the next run
        conn.send(("error", job, "params", str(e)))
        return
    conn.send(("done", job, {"iteration": 0, "check": rows}))


def _report(tr, sent, snap, last=False):
    """What is new in ``tr.history`` since the last report, the snapshots that are due, and
    the progress figures. ``last``: the stay ends after this report."""
    points = {}
    for key, values in tr.history.items():
        points[key] = values[sent.get(key, 0):]
        sent[key] = len(values)
    if snap["init"] is not None:  # once a stay
        points[SNAPSHOT + "w1_init"], snap["init"] = [snap["init"]], None
    now = time.monotonic()
    if last or snap["at"] is None or now - snap["at"] >= SNAPSHOT_EVERY:
        points[SNAPSHOT + "w1"] = [{"iteration": tr.iteration, "W": first_layer(tr.net)}]
        snap["at"] = now
    if tr.health.step is not None:
        points[SNAPSHOT + "step"], tr.health.step = [tr.health.step], None
    return {"points": points, "progress": tr.progress(), "advice": tr.advice, "status": tr.status}


if __name__ == "__main__":  # python -m serve.worker FD NICE [DATA_DIR]: how serve.pool starts a worker
    import sys
    from multiprocessing.connection import Connection
    main(Connection(int(sys.argv[1])), nice=int(sys.argv[2]), data_dir=(sys.argv[3:] or [None])[0])
