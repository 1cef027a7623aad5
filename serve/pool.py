"""A bounded pool of training worker processes with a fair queue, for a whole class at once.

Each run trains in a worker process (:mod:`serve.worker`) at a lower priority than the
page, so that drawing and predicting never wait for training. When every worker is
busy, a run waits in a first-come, first-served queue and starts by itself; the page
shows its place and an estimated wait. Each session has at most one run, queued or
running, and keeps it for a grace period after it disconnects. A worker that dies is
replaced, and only its own run is lost.

Identical runs train once (:mod:`serve.seats`): a session that starts a run the same as
one queued, training or finished a while ago joins it. The page drives a run through its
:class:`~serve.seats.Seat`.
"""
import contextlib
import itertools
import multiprocessing
import os
import threading
import time
from collections import deque

import psutil

from ffn.mnist import shared_copy

from . import cost
from .commands import SeatCommands
from .cpuload import CpuLoad
from .dispatch import Dispatcher
from .files import FileStore
from .grace import GRACE_SECONDS, GracePeriod
from .protocol import TRAIN, Cancel, Job
from .runs import (ACTIVE, BROWSER_BUSY, CANCELLED, ENDED, QUEUE_FULL, SESSION_ENDED, WORKER_DIED, Pace,
                   PoolRun, Refused, estimate_wait)
from .seats import Seat, SharedRuns, job_key
from .workers import Workers

__all__ = ["TrainingPool", "PoolRun", "Seat"]

MAX_WAIT = 20 * 60  # seconds: a new run that would wait longer than this to start is refused
# Seconds from one run's end in a worker to the next run's first progress on its page, beside
# the two runs' work: the figures and the model's file through the pipe, the next Start, its
# first chunk of training and report (``chunk``), the page's next poll. The waits shown on the
# class bench were 0.4-0.7 s short without it, most of all in a run's last seconds in the queue.
HANDOFF = 0.5


class TrainingPool(Dispatcher, SeatCommands):
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
    shared : SharedRuns, optional
        The runs a session may join; default :class:`~serve.seats.SharedRuns`'s bounds.
    max_wait : float
        Seconds of training the queue may hold, by the estimates: a new run that would
        wait longer is refused (``QUEUE_FULL``), and may be started again later.
    """

    def __init__(self, workers=None, nice=10, chunk=0.2, deadline=20.0, shared_data=True, grace=GRACE_SECONDS,
                 clock=time.monotonic, shared=None, max_wait=MAX_WAIT):
        cpus = _cores()  # the cores this server, and so its workers, may use
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
        self._runs = {}                 # session -> its Seat at a run (queued, running, paused or ended)
        self._shared = SharedRuns() if shared is None else shared
        self._by_job = {}               # job id -> PoolRun
        self._closed = False
        self._load = CpuLoad(cpus)      # how much of the cores other programs use
        self._pace = Pace(cost.SPEED, free_share=self._load.free_share)  # work/s of each worker, now
        self.max_wait = max_wait
        self._wake_r, self._wake_w = multiprocessing.Pipe(duplex=False)
        # MNIST written once, mapped by every worker: one copy in memory, not one each.
        self._data_dir = shared_copy() if shared_data else None
        self._files = FileStore("ffn-runs-")  # paused runs' checkpoints, finished runs' models
        self._workers = Workers(self.size, nice, self._data_dir, self._lock, self._wake)
        self._thread = threading.Thread(target=self._serve, name="training-pool", daemon=True)
        self._thread.start()

    def submit(self, session, job, step=False, browser=None):
        """Queue ``job`` (a :class:`~serve.protocol.Job`) for ``session``, or join the same
        run queued, training or finished a while ago; returns the session's :class:`Seat`.

        ``step``: it trains one iteration, then pauses (Step before a run); such a run is
        never shared. ``browser`` names the browser the session is in (see
        :meth:`_admit`). Raises ``ValueError`` if the session already has a run.
        """
        if not isinstance(job, Job):
            raise TypeError(f"a pool runs a serve.protocol.Job, got {type(job).__name__}")
        with self._lock:
            if self._closed:
                raise RuntimeError("the training pool is shut down")
            old = self._runs.get(session)
            if old is not None and old.state not in ENDED:
                raise ValueError(f"session {session!r} already has a run ({old.state}): one run per session")
            key = job_key(job, step)
            run = None if key is None else self._shared.find(key, self.clock())
            new = run is None
            if new:
                self._admit(session, job, browser)
                run = PoolRun(self, job, step=step, key=key)
                if key is not None:
                    self._shared.add(run)
                self._queue.append(run)
            seat = self._runs[session] = Seat(self, session, run, browser)
        if new:
            self._wake()
        return seat

    def _admit(self, session, job, browser):
        """A new run is for the class's workers to train: not when it would wait more than
        ``max_wait`` seconds to start, and not when its browser already has a run training
        or queued that nobody else watches (in any of its tabs: a seat at a run that trains
        anyway costs nothing). A gradient check, a second of a worker, always. Raises
        :class:`Refused`."""
        if job.task != TRAIN:
            return
        self._check_queue()
        self._check_browser(browser)

    def _check_queue(self):
        wait = self._wait(list(self._queue))
        if wait > self.max_wait:
            raise Refused(QUEUE_FULL, f"a new run would wait about {wait:.0f} s, over "
                                      f"{self.max_wait:.0f} s", seconds=wait)

    def _check_browser(self, browser, but=None):
        """Refuse when ``browser`` holds a run (other than ``but``) training or queued: one
        that only its seats watch. A session that left (its grace period runs: a reloaded
        tab) holds nothing."""
        if browser is None:
            return
        for run in {seat.run for seat in self._runs.values() if seat.browser == browser}:
            watching = [s for s in run.seats if not self._grace.away(s.session)]
            held = watching and all(s.browser == browser for s in watching)
            if run is not but and run.state in ACTIVE and held:
                raise Refused(BROWSER_BUSY, f"browser {browser!r} already has a run ({run.state})")

    def left(self, session):
        """The session disconnected: its runs are cancelled after the grace period, unless it is back."""
        self._grace.left(session)

    def back(self, session):
        """The session is here (a script run): it keeps its runs."""
        self._grace.back(session)

    def end_session(self, session):
        """The session has gone: it leaves its run, queued, running or paused, and its side
        jobs (submitted as ``session:name``, e.g. a gradient check). A run nobody else
        watches is cancelled."""
        with self._lock:
            seats = [r for s, r in self._runs.items() if s == session or s.startswith(f"{session}:")]
        for seat in seats:
            seat.cancel(SESSION_ENDED)
        with self._lock:
            for seat in seats:
                if self._runs.get(seat.session) is seat:
                    del self._runs[seat.session]
                seat.run.seats.discard(seat)

    def status(self):
        """Counts for a status line or a bench: workers, ready (MNIST loaded), busy, queued,
        the pace expected of a worker (work/s, :mod:`serve.cost`), the workers' pids, the
        finished runs kept to be joined (how many, their bytes), and the files of checkpoints
        and models held on disk (how many, their bytes)."""
        with self._lock:
            return {"workers": len(self._workers), "ready": sum(w.ready for w in self._workers),
                    "busy": sum(w.run is not None for w in self._workers),
                    "queued": len(self._queue), "pace": self._pace.expected(self.clock()),
                    "pids": [w.proc.pid for w in self._workers], "kept": self._shared.sizes(),
                    "files": self._files.sizes()}

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
        self._files.close()

    def _wake(self):
        with contextlib.suppress(OSError):
            self._wake_w.send_bytes(b"!")

    def _queue_view(self, run):
        """A queued run's ``place`` in the queue (0 once it has left it) and estimated ``wait`` in seconds."""
        ahead = list(itertools.takewhile(lambda r: r is not run, self._queue))
        return {"place": len(ahead) + 1 if run in self._queue else 0, "wait": self._wait(ahead)}

    def _wait(self, ahead):
        """Seconds until a run queued behind ``ahead`` starts: each worker's run finishes at
        that worker's pace now, then the runs ahead take the first worker free, each at
        the pace expected of a worker (:class:`~serve.runs.Pace`)."""
        pace = self._pace.expected(self.clock())
        left = [0.0 if w.run is None else w.run.work_left() / (self._pace.of(w) or pace) + HANDOFF
                for w in self._workers]
        return estimate_wait(left, [r.work_left() / pace + HANDOFF for r in ahead])

    def cost(self, job):
        """Seconds ``job`` would keep one worker busy, at the pace expected now: for the page
        to say what a large run costs the class before Start. 0 when the same run is there
        to join."""
        with self._lock:
            key = job_key(job)
            if key is not None and self._shared.find(key, self.clock()) is not None:
                return 0.0
            return cost.run_work(job) / self._pace.expected(self.clock())

    def _cancel(self, run, reason):
        with self._lock:
            cancel = self._cancel_locked(run, reason)
        self._send_cancel(*cancel)

    def _cancel_locked(self, run, reason):
        """Cancel ``run`` under the lock; returns what :meth:`_send_cancel` sends after it."""
        if run in self._queue:
            self._queue.remove(run)
        w = self._worker_of(run)
        job_id = run.job_id
        if w is not None:  # the worker stays busy until it confirms
            self._pace.ended(w)
            w.run = None
            w.draining = job_id
            w.draining_since = self.clock()
            self._by_job.pop(job_id, None)
        if run.state not in ENDED:
            run.cancel_reason = reason
            run.state = CANCELLED
        self._shared.ended(run, self.clock())
        return w, job_id

    def _send_cancel(self, w, job_id):
        """Tell the worker, without the pool's lock: it may wait behind a run's checkpoint."""
        if w is not None:
            with contextlib.suppress(OSError):
                w.send(Cancel(job_id))
        self._wake()

    def _worker_of(self, run):
        return next((w for w in self._workers if w.run is run), None)


def _cores():
    """The cores this process may use: its affinity where the system keeps one (Linux,
    Windows), else every core (macOS)."""
    try:
        return set(psutil.Process().cpu_affinity())
    except (AttributeError, psutil.Error, OSError):
        return set(range(os.cpu_count() or 1))
