"""A bounded pool of training worker processes with a fair queue, for a whole class at once.

Each run trains in a worker process (:mod:`serve.worker`) at a lower priority than the
page, so that drawing and predicting never wait for training. When every worker is
busy, a run waits in a first-come, first-served queue and starts by itself; the page
shows its place and an estimated wait. Each session has at most one run, queued or
running, and keeps it for a grace period after it disconnects. A worker that dies is
replaced, and only its own run is lost. The page drives a run through its
:class:`~serve.runs.PoolRun`.
"""
import contextlib
import itertools
import multiprocessing
import os
import threading
import time
from collections import deque

from ffn.mnist import shared_copy

from .cpuload import FreeCores
from .dispatch import Dispatcher
from .grace import GRACE_SECONDS, GracePeriod
from .protocol import Cancel, Job, Pause, Stop
from .runs import (CANCELLED, ENDED, PAUSED, QUEUED, SESSION_ENDED, WORKER_DIED, PoolRun, Throughput,
                   estimate_wait)
from .workers import Workers

__all__ = ["TrainingPool", "PoolRun"]


class TrainingPool(Dispatcher):
    """Worker processes that train runs, and the queue in front of them.

    Parameters
    ----------
    workers : int, optional
        Processes in the pool; default the cores this process may use minus one, at least one.
    nice : int
        How much lower the workers' priority is than the server's.
    chunk, deadline : float
        Seconds a worker trains between two reports; seconds without one after which a
        running run is reported ``late``.
    shared_data : bool
        Every worker maps one copy of MNIST (:func:`ffn.mnist.shared_copy`), not its own.
    grace : float
        Seconds a session that left (:meth:`left`) keeps its runs before they are cancelled.
    clock : callable
        Seconds, for a run's wall time, the queue's estimates and the deadlines.
    """

    def __init__(self, workers=None, nice=10, chunk=0.2, deadline=20.0, shared_data=True, grace=GRACE_SECONDS,
                 clock=time.monotonic):
        cpus = os.sched_getaffinity(0)  # the cores this server, and so its workers, may use
        self._free = FreeCores(cpus)    # of those, the ones nothing else is using
        self.size = int(max(1, len(cpus) - 1) if workers is None else workers)
        if self.size < 1:
            raise ValueError(f"workers must be at least 1, got {workers!r}")
        self.nice = nice
        self.chunk = chunk
        self.deadline = deadline
        self.clock = clock
        self._grace = GracePeriod(self.end_session, grace)
        self._lock = threading.RLock()
        self._job_ids = itertools.count(1)
        self._queue = deque()           # PoolRuns waiting, first come first served
        self._runs = {}                 # session -> its PoolRun (queued, running or paused)
        self._by_job = {}               # job id -> PoolRun
        self._closed = False
        self._throughput = Throughput(clock=clock)  # images/s of one worker, for the queue's estimates
        self._wake_r, self._wake_w = multiprocessing.Pipe(duplex=False)
        # MNIST written once, mapped by every worker: one copy in memory, not one each.
        self._data_dir = shared_copy() if shared_data else None
        self._workers = Workers(self.size, nice, self._data_dir, self._lock, self._wake)
        self._thread = threading.Thread(target=self._serve, name="training-pool", daemon=True)
        self._thread.start()

    def submit(self, session, job, step=False):
        """Queue ``job`` (a :class:`~serve.protocol.Job`) for ``session``; returns its :class:`PoolRun`.
        ``step``: it trains one iteration, then pauses (Step before a run). Raises ``ValueError``
        if the session already has a run."""
        if not isinstance(job, Job):
            raise TypeError(f"a pool runs a serve.protocol.Job, got {type(job).__name__}")
        with self._lock:
            if self._closed:
                raise RuntimeError("the training pool is shut down")
            old = self._runs.get(session)
            if old is not None and old.state not in ENDED:
                raise ValueError(f"session {session!r} already has a run ({old.state}): one run per session")
            run = PoolRun(self, session, job, step=step)
            self._runs[session] = run
            self._queue.append(run)
        self._wake()
        return run

    def left(self, session):
        """The session disconnected: its runs are cancelled after the grace period, unless it is back."""
        self._grace.left(session)

    def back(self, session):
        """The session is here (a script run): it keeps its runs."""
        self._grace.back(session)

    def end_session(self, session):
        """The session has gone: cancel its run, queued, running or paused, and its side jobs
        (submitted as ``session:name``, e.g. a gradient check)."""
        with self._lock:
            runs = [r for s, r in self._runs.items() if s == session or s.startswith(f"{session}:")]
        for run in runs:
            run.cancel(SESSION_ENDED)

    def status(self):
        """Counts for a status line or a bench: workers, ready (MNIST loaded), busy, queued,
        images/s a worker, and the workers' pids."""
        with self._lock:
            return {"workers": len(self._workers), "ready": sum(w.ready for w in self._workers),
                    "busy": sum(w.run is not None for w in self._workers),
                    "queued": len(self._queue), "rate": self._throughput.rate(),
                    "pids": [w.proc.pid for w in self._workers]}

    def shutdown(self, timeout=5.0):
        """Close every worker's pipe (they exit on their own), then make sure they did."""
        with self._lock:
            self._closed = True
            for w in self._workers:
                if w.run is not None:  # their runs end with the server
                    w.run.fail(WORKER_DIED)
            workers = self._workers.take_all()
        self._wake()
        for w in workers:
            w.close(timeout)
        self._thread.join(timeout)

    def _wake(self):
        with contextlib.suppress(OSError):
            self._wake_w.send_bytes(b"!")

    def _queue_view(self, run):
        """A queued run's ``place`` in the queue (0 once it has left it) and estimated ``wait`` in seconds."""
        ahead = list(itertools.takewhile(lambda r: r is not run, self._queue))
        rate = self._throughput.rate([w.run for w in self._workers if w.run is not None])
        left = [0.0 if w.run is None else w.run.images_left() / rate for w in self._workers]
        return {"place": len(ahead) + 1 if run in self._queue else 0,
                "wait": estimate_wait(left, [r.images / rate for r in ahead])}

    def _stop(self, run):
        with self._lock:
            w = self._worker_of(run)
            if w is None:
                if run.state == QUEUED and run.checkpoint is not None:
                    run.stop_now = True  # resumed, still waiting: it only ends when its turn comes
                if run.state == PAUSED:
                    # Its final figures need a worker for a moment: it goes first in the queue,
                    # and the worker stops it before any iteration.
                    run.stop_now = True
                    run.state = QUEUED
                    self._queue.appendleft(run)
                    self._wake()
                return
        with contextlib.suppress(OSError):
            w.send(Stop(run.job_id))

    def _pause(self, run):
        with self._lock:
            w = self._worker_of(run)
        if w is not None:
            with contextlib.suppress(OSError):
                w.send(Pause(run.job_id))

    def _resume(self, run, step=False):
        with self._lock:
            if run.state == PAUSED:
                run.step_next = step
                run.state = QUEUED
                self._queue.append(run)
        self._wake()

    def _cancel(self, run, reason):
        with self._lock:
            if run in self._queue:
                self._queue.remove(run)
            w = self._worker_of(run)
            job_id = run.job_id
            if w is not None:  # the worker stays busy until it confirms
                w.run = None
                w.draining = job_id
                w.draining_since = self.clock()
                self._by_job.pop(job_id, None)
            if run.state not in ENDED:
                run.cancel_reason = reason
                run.state = CANCELLED
            if self._runs.get(run.session) is run:
                del self._runs[run.session]
        if w is not None:  # sent without the pool's lock: it may wait behind a run's checkpoint
            with contextlib.suppress(OSError):
                w.send(Cancel(job_id))
        self._wake()

    def _worker_of(self, run):
        return next((w for w in self._workers if w.run is run), None)
