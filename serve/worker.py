"""A training worker: one process of a :class:`serve.pool.TrainingPool`, running one job at a time.

It reads MNIST once, says :class:`~serve.protocol.Ready`, then waits on its pipe for a
:class:`~serve.protocol.Start`. A run trains in chunks of ``chunk`` seconds; after each
it sends a :class:`~serve.protocol.Report` of what is new and reads the commands that
arrived meanwhile (Stop, Pause, Cancel, Fork). A stay ends with Paused, Done,
Cancelled or Error. A gradient check trains nothing: it checks the gradients of the
job's network and is done.

Snapshots (series named ``SNAPSHOT + ...``) are pictures of the run: ``w1`` (the first
layer's tiles, at most every ``SNAPSHOT_EVERY`` seconds and at the end of each stay),
``w1_init`` (the same at initialisation) and ``step`` (a Step's iteration, whole).

The worker exits when its pipe closes: a server that dies leaves no worker behind. The
pool starts it as ``python -m serve.worker FD NICE [DATA_DIR]``, FD being its end of a
socket pair and DATA_DIR the MNIST files all workers share.
"""
import os
import time

import numpy as np
import psutil

from ffn import checkpoint
from ffn.gradcheck import BATCH, gradient_check
from ffn.health import first_layer
from ffn.mnist import load_mnist, load_shared
from ffn.model_io import model_bytes
from ffn.settings import SettingsError, build_trainer, run_metadata
from ffn.threads import run_threads

from . import protocol
from .files import remove
from .protocol import (COMMANDS, GRADCHECK, SNAPSHOT, Cancel, Cancelled, Done, Error, Fork, Forked, Pause,
                       Paused, ProtocolError, Ready, Report, Start, Stop)

SNAPSHOT_EVERY = 2.0  # seconds between two snapshots of the first layer


def lower_priority(nice):
    """This process below the page's priority: ``nice`` on POSIX systems, the class below
    normal on Windows (psutil's, for both). A system that refuses leaves it as it is."""
    try:
        me = psutil.Process()
        me.nice(psutil.BELOW_NORMAL_PRIORITY_CLASS if os.name == "nt" else me.nice() + nice)
    except (psutil.Error, OSError):
        pass


def main(conn, nice=10, data_dir=None):
    """The worker's loop. ``nice`` lowers its priority below the page's; ``data_dir`` holds
    MNIST as :func:`ffn.mnist.save_shared` wrote it, mapped by every worker at once
    (default: this worker reads its own copy). A run computes with one BLAS thread
    (:mod:`ffn.threads`), whatever the machine's load: the same settings give the same bits."""
    lower_priority(nice)
    data = load_mnist() if data_dir is None else load_shared(data_dir)
    try:
        protocol.send(conn, Ready(os.getpid()))
        while True:
            try:
                msg = protocol.receive(conn, COMMANDS)
            except ProtocolError as e:  # the worker lives on for the next run
                if e.refused is not None:
                    protocol.send(conn, Error(e.refused, "settings", str(e)))
                continue
            if isinstance(msg, Start):
                _run(conn, msg, data)
            # a command for a run that already ended needs no answer
    except (EOFError, OSError):
        return  # the pool is gone: its end of the pipe is closed


def _build(start, data):
    (x, t), _ = data
    job = start.job
    state = None
    if start.checkpoint is not None:  # the file is this worker's now: read first, deleted whatever follows
        try:
            state = checkpoint.load(start.checkpoint)
        finally:
            remove(start.checkpoint)
    tr = build_trainer(job.settings, x, t, limits=job.limits, eval_size=job.eval_size,
                       evals_per_run=job.evals_per_run)
    if state is not None:
        checkpoint.restore(tr, state)
    return tr


class _NotSaved(Exception):
    """A pause's checkpoint could not be written (a full disk): the run ends with an Error."""


def _save(tr, start):
    """The run's state, written to a file in the Start's ``spool``: its path."""
    try:
        return checkpoint.save(checkpoint.take(tr), start.spool)
    except OSError as e:  # not the pipe's: the worker lives on, and says why
        raise _NotSaved(f"the paused run's state could not be written: {e}") from None


def _run(conn, start, data):
    job_id = start.job_id
    try:
        tr = _build(start, data)
    except (SettingsError, ValueError, OSError) as e:
        protocol.send(conn, Error(job_id, getattr(e, "code", "settings"), str(e)))
        return
    if start.job.task == GRADCHECK:
        _check(conn, job_id, start.job.params, tr)
        return
    if start.stop_now:  # a run stopped while it waited: only its final figures
        tr.stop()
    step = start.step and not tr.done
    if step:
        tr.health.capture_next()
    sent = {k: len(v) for k, v in tr.history.items()}
    snap = {"at": None, "init": tr.health.W1_init}
    while True:
        tr.step(max_seconds=start.chunk, max_iters=1 if step else None)
        protocol.send(conn, _report(job_id, tr, sent, snap, last=step or tr.done))
        asked = _commands(conn, job_id)  # cancel, then stop, win over pause
        if Cancel in asked:  # nobody wants its figures: free the worker at once
            protocol.send(conn, Cancelled(job_id))
            return
        if (Stop in asked or Pause in asked) and not (step or tr.done):  # the stay ends here: its last tiles
            protocol.send(conn, _report(job_id, tr, sent, snap, last=True))
        if Fork in asked and not (step or tr.done or Stop in asked or Pause in asked):
            protocol.send(conn, _report(job_id, tr, sent, snap, last=True))  # the copy's last tiles
            protocol.send(conn, _fork(job_id, tr, asked[Fork], start, data))
        if Stop in asked:
            tr.stop()
        elif (Pause in asked or step) and not tr.done:
            try:
                protocol.send(conn, Paused(job_id, tr.iteration, _save(tr, start)))
            except _NotSaved as e:  # the run cannot go on later: it ends here, and says why
                protocol.send(conn, Error(job_id, "disk", str(e)))
            return
        if tr.done:
            break
    _, (xt, tt) = data
    final = tr.final_accuracy(xt, tt)
    tr.net.meta.update(run_metadata(tr, start.job.settings, final, command=start.job.command))
    protocol.send(conn, Done(job_id, tr.iteration, status=tr.status, outcome=tr.outcome, final=final,
                             model=model_bytes(tr.net)))


def _fork(job_id, tr, fork, start, data):
    """A :class:`Forked` of the run as it is: a stop's figures and model, a pause's checkpoint."""
    job = start.job
    outcome = final = model = ckpt = None
    if fork.stop:
        _, (xt, tt) = data
        final = tr.final_accuracy(xt, tt)
        outcome = ("stopped", {"iteration": tr.iteration, "total": tr.total_iters})
        meta = run_metadata(tr, job.settings, final, command=job.command)
        model = model_bytes(tr.net, **{**meta, "status": "stopped"})
    if fork.pause:
        try:
            ckpt = _save(tr, start)
        except _NotSaved:  # '': asked, not written; the seat that asked stays at the shared run
            ckpt = ""
    return Forked(job_id, tr.iteration, outcome=outcome, final=final, model=model, checkpoint=ckpt)


def _commands(conn, job_id):
    """The commands for this run that arrived since the last chunk, by type (the latest of each)."""
    asked = {}
    while conn.poll():
        try:
            msg = protocol.receive(conn, COMMANDS)
        except ProtocolError:  # not a command this run can follow: it trains on
            continue
        if msg.job_id == job_id and isinstance(msg, Fork) and Fork in asked:  # each fork asked is served
            f = asked[Fork]
            asked[Fork] = Fork(job_id, stop=f.stop or msg.stop, pause=f.pause or msg.pause)
        elif msg.job_id == job_id:  # else meant for an earlier run
            asked[type(msg)] = msg
    return asked


def _check(conn, job_id, params, tr):
    """The gradient check of the run's network: ``params`` (its ``state_vector``, weights
    and running statistics) or, if None, its starting weights."""
    try:
        if params is not None:
            params = np.asarray(params, dtype=tr.net.dtype)
            if params.shape != tr.net.state_vector.shape:
                raise ValueError(f"expected {tr.net.state_vector.size} parameters and statistics, "
                                 f"got shape {params.shape}")
            tr.net.state_vector[...] = params
        with run_threads():
            rows = gradient_check(tr.net, tr.x_train[:BATCH], tr.t_train[:BATCH])
    except (ValueError, TypeError, FloatingPointError) as e:  # the worker lives on for the next run
        protocol.send(conn, Error(job_id, "params", str(e)))
        return
    protocol.send(conn, Done(job_id, 0, check=rows))


def _report(job_id, tr, sent, snap, last=False):
    """A :class:`Report` of what is new in ``tr.history`` since the last one, the snapshots
    that are due, and the progress figures. ``last``: the stay ends after this report."""
    points = {}
    for key, values in tr.history.items():
        points[key] = values[sent.get(key, 0):]
        sent[key] = len(values)
    if snap["init"] is not None:  # once a stay
        points[SNAPSHOT + "w1_init"] = [snap["init"]]
        snap["init"] = None
    now = time.monotonic()
    if last or snap["at"] is None or now - snap["at"] >= SNAPSHOT_EVERY:
        points[SNAPSHOT + "w1"] = [{"iteration": tr.iteration, "W": first_layer(tr.net)}]
        snap["at"] = now
    if tr.health.step is not None:
        points[SNAPSHOT + "step"] = [tr.health.step]
        tr.health.step = None
    return Report(job_id, points, tr.progress(), tr.advice)


if __name__ == "__main__":  # python -m serve.worker FD NICE [DATA_DIR]: how serve.workers starts a worker
    import sys
    from multiprocessing.connection import Connection
    main(Connection(int(sys.argv[1])), nice=int(sys.argv[2]), data_dir=(sys.argv[3:] or [None])[0])
