"""Identical runs train once: a session's seat at a run, the key that says two runs are the
same, and the runs other sessions may join (queued, training, or finished a while ago).

Forty students who open one lesson link and press Start ask for one run forty times: the
same settings, seed and data give the same bits (:mod:`ffn.threads`). So the pool trains
it once, and each session watches it through its own :class:`Seat`, which brings that
session what is new since its last poll, from the first point for one that joins late.
A seat that stops or pauses a run others watch gets a run of its own from that moment
(:meth:`serve.runs.PoolRun.copy_for`); the shared run goes on while any seat watches it.
"""
import json
import threading
from collections import OrderedDict

from .protocol import SNAPSHOT, TRAIN, job_fields
from .runs import ACTIVE, DONE, LEFT_QUEUE, QUEUED, RUNNING

KEEP_SECONDS = 30 * 60        # a finished run is joined this long after it ended...
KEEP_RUNS = 20                # ...and at most this many are kept...
KEEP_BYTES = 64 * 2 ** 20     # ...in at most this much memory (model files and curves), oldest dropped first
_VALUE_BYTES = 32             # a float in a history list: the object and its slot


def job_key(job, step=False):
    """What makes two runs the same run, as a string; None for one that is never shared
    (a gradient check, or a run that begins with Step)."""
    if job.task != TRAIN or step:
        return None
    return json.dumps(job_fields(job), sort_keys=True, default=repr)  # as it goes to a worker


class Seat:
    """One session's place at a :class:`~serve.runs.PoolRun`: what the page polls and drives.

    :meth:`poll` brings what is new since the last poll, :meth:`stop`, :meth:`pause`,
    :meth:`resume`, :meth:`step` and :meth:`cancel` act on the run (on a copy of its own
    when others watch it too). ``browser`` names the browser the session is in, for the
    pool's limit of runs per browser, which counts the runs only that browser's seats watch.
    """

    def __init__(self, pool, session, run, browser=None):
        self._pool = pool
        self.session = session
        self.browser = browser
        self.run = run
        self.wants = None                  # 'stop' or 'pause', asked of a shared run's worker
        self.changed = threading.Event()   # set whenever its run's state changes
        self._seen = {}                    # series -> values (snapshots: reports) already polled
        run.seats.add(self)
        run.joined += 1

    def __getattr__(self, name):  # state, progress, result, checkpoint, started_at...: its run's
        if name in ("state", "progress", "result", "checkpoint", "started_at", "error", "cancel_reason",
                    "job", "iterations", "batch", "images"):
            return getattr(self.run, name)
        raise AttributeError(name)

    def wait_for_change(self, timeout):
        """Sleep until the run's state changes (it starts, pauses, ends), at most ``timeout`` s:
        the page sees a run end at once rather than at its next poll."""
        if self.changed.wait(timeout):
            self.changed.clear()

    def poll(self):
        """What is new since the last poll: a dict with ``state``, ``points`` (series ->
        new values), ``progress``, ``advice``, ``result`` (once done), ``error`` (a code
        once failed), ``cancel_reason``, ``place`` and ``wait`` (seconds, estimated) while
        queued, ``late`` when a running worker has not reported for longer than the
        deadline, ``run_seconds`` (its wall time in workers, the queue and pauses left
        out) and ``students``: the sessions it trains for (those watching it while it is
        queued or training, all it had once it ended)."""
        pool = self._pool
        with pool._lock:
            run = self.run
            now = pool.clock()
            out = {"state": run.state, "points": self._new_points(run), "progress": run.progress,
                   "advice": run.advice, "result": run.result, "error": run.error,
                   "cancel_reason": run.cancel_reason, "late": False, "run_seconds": run.run_seconds(now),
                   "students": len(run.seats) if run.state in ACTIVE else run.joined}
            if run.state == QUEUED:
                out.update(pool._queue_view(run))
            elif run.state == RUNNING:
                out["late"] = now - run.last_heard > pool.deadline
            if run.key is None and run.seats == {self}:  # nobody else reads it: what the page has goes
                self._forget_polled(run)
            return out

    def _forget_polled(self, run):
        """A private run keeps only what its one seat has not polled: the page holds the rest."""
        for key, values in run.history.items():
            if not key.startswith(SNAPSHOT):
                del values[:self._seen.get(key, 0)]
                self._seen[key] = 0

    def _new_points(self, run):
        points = {}
        for key, values in run.history.items():
            if key.startswith(SNAPSHOT):
                n = run.snapshots.get(key, 0)
                if self._seen.get(key) != n:
                    points[key], self._seen[key] = list(values), n
            elif len(values) > self._seen.get(key, 0):
                points[key], self._seen[key] = values[self._seen.get(key, 0):], len(values)
        return points

    def stop(self):
        """End the run where it is; the final figures follow (a copy's, when others watch it)."""
        self._pool._stop(self)

    def pause(self):
        """Stop training and give the worker back (a copy of the run, when others watch it)."""
        self._pool._pause(self)

    def resume(self):
        self._pool._resume(self)

    def step(self):
        """A paused run trains exactly one iteration, reports it whole (``snapshot_step``) and
        pauses again."""
        self._pool._resume(self, step=True)

    def cancel(self, reason=LEFT_QUEUE):
        """Leave the run without figures: a run nobody else watches is dropped (it leaves
        the queue, or its worker). ``reason`` is kept in ``cancel_reason``."""
        self._pool._leave(self, reason)


class SharedRuns:
    """The runs a session may join, by :func:`job_key`: queued or training, and finished
    ones for ``keep_seconds``, at most ``keep_runs`` of them in ``keep_bytes``."""

    def __init__(self, keep_seconds=KEEP_SECONDS, keep_runs=KEEP_RUNS, keep_bytes=KEEP_BYTES):
        self.keep_seconds, self.keep_runs, self.keep_bytes = keep_seconds, keep_runs, keep_bytes
        self._active = {}              # key -> a queued or training run
        self._finished = OrderedDict()  # key -> (run, ended at, bytes), oldest first

    def find(self, key, now):
        """The run ``key`` names that a session may join now, or None."""
        self._expire(now)
        if key in self._active:
            return self._active[key]
        kept = self._finished.get(key)
        return kept[0] if kept else None

    def add(self, run):
        self._active[run.key] = run

    def private(self, run):
        """``run`` is no longer the run of its settings (paused, stopped): nobody joins it."""
        if run.key is not None and self._active.get(run.key) is run:
            del self._active[run.key]
        run.key = None

    def ended(self, run, now):
        """``run`` ended: kept for those who come later if it is done, else forgotten."""
        if run.key is None or self._active.get(run.key) is not run:
            return
        del self._active[run.key]
        if run.state != DONE:
            run.key = None
            return
        self._finished[run.key] = (run, now, _bytes(run))
        self._expire(now)

    def sizes(self):
        """(finished runs kept, their bytes): for a status line or a bench."""
        return len(self._finished), sum(b for _r, _t, b in self._finished.values())

    def _expire(self, now):
        while self._finished:
            key, (_run, ended, _b) = next(iter(self._finished.items()))
            n, total = self.sizes()
            if now - ended <= self.keep_seconds and n <= self.keep_runs and total <= self.keep_bytes:
                break
            del self._finished[key]


def _bytes(run):
    """About how much memory a finished run holds: its model file and its curves."""
    model = len(run.result.model or b"") if run.result is not None else 0
    values = sum(len(v) for k, v in run.history.items() if not k.startswith(SNAPSHOT))
    snaps = sum(getattr(s.get("W") if isinstance(s, dict) else s, "nbytes", 0)
                for k, v in run.history.items() if k.startswith(SNAPSHOT) for s in v)
    return model + values * _VALUE_BYTES + snaps


__all__ = ["Seat", "SharedRuns", "job_key"]
