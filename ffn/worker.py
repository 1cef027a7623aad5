"""A training worker: one process of a :class:`ffn.pool.TrainingPool`, running one run at a time.

It reads MNIST once, then waits on its pipe. Messages are tuples:

from the pool
    ``('run', job, spec)`` trains a run: ``spec`` holds ``settings`` (a dict of
    :class:`~ffn.settings.TrainSettings`), ``limits`` (a dict of
    :class:`~ffn.settings.Limits`), ``eval_size``, ``evals_per_run``, ``threads`` (BLAS
    threads), ``chunk`` (seconds between reports) and ``state`` (a checkpoint to go on
    from, or None). ``('stop', job)``, ``('pause', job)``, ``('cancel', job)`` and
    ``('threads', job, n)`` are read between two chunks.
to the pool
    ``('ready', pid)`` once MNIST is loaded; ``('report', job, report)`` after each chunk;
    ``('paused', job, checkpoint)``; ``('done', job, result)``; ``('cancelled', job)``;
    ``('error', job, code, text)``.

A report carries only what is new since the last one: ``points`` maps each series of
the trainer's history (``loss``, ``valid_acc``...) to its new values, so a later series
(first-layer snapshots, gradient norms) is one more key, not a new message.

The worker exits when its pipe closes: a server that dies leaves no worker behind. The
pool starts it as ``python -m ffn.worker FD NICE [DATA_DIR]``, FD being its end of a
socket pair and DATA_DIR the MNIST files all workers share.
"""
import os

from . import checkpoint
from .mnist import load_mnist, load_shared
from .model_io import model_bytes
from .settings import Limits, SettingsError, TrainSettings, build_trainer, run_metadata


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
    if spec.get("stop_now"):  # a paused run that was stopped: only its final figures
        tr.stop()
    sent = {k: len(v) for k, v in tr.history.items()}
    threads = spec["threads"]
    while True:
        with limit_threads(threads):
            tr.step(max_seconds=spec["chunk"])
        conn.send(("report", job, _report(tr, sent)))
        asked = {}  # what arrived since the last chunk; cancel, then stop, win over pause
        while conn.poll():
            msg = conn.recv()
            if msg[1] == job:  # else meant for an earlier run
                asked[msg[0]] = msg
        if "cancel" in asked:  # nobody wants its figures: free the worker at once
            conn.send(("cancelled", job))
            return
        if "threads" in asked:
            threads = asked["threads"][2]
        if "stop" in asked:
            tr.stop()
        elif "pause" in asked and not tr.done:
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


def _report(tr, sent):
    """What is new in ``tr.history`` since the last report, and the progress figures."""
    points = {}
    for key, values in tr.history.items():
        points[key] = values[sent[key]:]
        sent[key] = len(values)
    return {"points": points, "progress": tr.progress(), "advice": tr.advice, "status": tr.status}


if __name__ == "__main__":  # python -m ffn.worker FD NICE [DATA_DIR]: how ffn.pool starts a worker
    import sys
    from multiprocessing.connection import Connection
    main(Connection(int(sys.argv[1])), nice=int(sys.argv[2]), data_dir=(sys.argv[3:] or [None])[0])
