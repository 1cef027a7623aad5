"""A bounded pool of training worker processes with a fair queue, for a whole class at once.

Each run trains in a worker process (:mod:`serve.worker`) at a lower priority than the
page, so that drawing and predicting never wait for training. When every worker is
busy, a run waits in a first-come, first-served queue and starts by itself; the page
shows its place and an estimated wait. Each session has at most one run, queued or
running. A worker that dies is replaced, and only its own run is lost. The page drives a
run through its :class:`~serve.runs.PoolRun`.
"""
import contextlib
import itertools
import logging
import multiprocessing.connection
import os
import threading
import time
from collections import deque

from ffn.mnist import shared_copy

from .cpuload import FreeCores
from .runs import PoolRun, Throughput
from .worker import SNAPSHOT
from .workers import WorkerHandle

log = logging.getLogger("serve.pool")

__all__ = ["TrainingPool", "PoolRun"]


class TrainingPool:
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
    """

    def __init__(self, workers=None, nice=10, chunk=0.2, deadline=20.0, shared_data=True):
        cpus = os.sched_getaffinity(0)  # the cores this server, and so its workers, may use
        self._free = FreeCores(cpus)    # of those, the ones nothing else is using
        self.size = int(max(1, len(cpus) - 1) if workers is None else workers)
        if self.size < 1:
            raise ValueError(f"workers must be at least 1, got {workers!r}")
        self.nice, self.chunk, self.deadline = nice, chunk, deadline
        self._lock = threading.RLock()
        self._jobs, self._queue = itertools.count(1), deque()  # job ids; PoolRuns waiting, first come first served
        self._runs = {}                 # session -> its PoolRun (queued, running or paused)
        self._by_job = {}               # job id -> PoolRun
        self._workers, self._closed = [], False
        self._throughput = Throughput()  # images/s of one worker, for the queue's estimates
        self._wake_r, self._wake_w = multiprocessing.Pipe(duplex=False)
        # MNIST written once, mapped by every worker: one copy in memory, not one each.
        self._data_dir = shared_copy() if shared_data else None
        self._start_failures = 0  # workers in a row that died before they were ready
        for _ in range(self.size):
            self._spawn()
        self._thread = threading.Thread(target=self._serve, name="training-pool", daemon=True)
        self._thread.start()

    def submit(self, session, spec):
        """Queue a run for ``session``; returns its :class:`PoolRun`.

        ``spec`` is what :mod:`serve.worker` reads, plus ``iterations`` and ``batch`` (for
        the wait estimate). Raises ``ValueError`` if the session already has a run.
        """
        with self._lock:
            if self._closed:
                raise RuntimeError("the training pool is shut down")
            old = self._runs.get(session)
            if old is not None and old.state in ("queued", "running", "paused"):
                raise ValueError(f"session {session!r} already has a run ({old.state}): one run per session")
            run = PoolRun(self, session, dict(spec))
            self._runs[session] = run
            self._queue.append(run)
        self._wake()
        return run

    def end_session(self, session):
        """The session has gone: cancel its run, queued, running or paused, and its side jobs
        (submitted as ``session:name``, e.g. a gradient check)."""
        with self._lock:
            runs = [r for s, r in self._runs.items() if s == session or s.startswith(f"{session}:")]
        for run in runs:
            run.cancel("session_ended")

    def status(self):
        """Counts for a status line or a bench: workers, busy, queued, images/s a worker."""
        with self._lock:
            return {"workers": len(self._workers), "busy": sum(w.run is not None for w in self._workers),
                    "queued": len(self._queue), "rate": self._throughput.rate(),
                    "pids": [w.proc.pid for w in self._workers]}

    def shutdown(self, timeout=5.0):
        """Close every worker's pipe (they exit on their own), then make sure they did."""
        with self._lock:
            self._closed, workers, self._workers = True, self._workers, []
            for w in (w for w in workers if w.run is not None):  # their runs end with the server
                w.run.state, w.run.error = "failed", ("worker_died", "")
        self._wake()
        for w in workers:
            w.close(timeout)
        self._thread.join(timeout)

    def _spawn(self):
        self._workers.append(WorkerHandle.start(self.nice, self._data_dir))

    def _wake(self):
        with contextlib.suppress(OSError):
            self._wake_w.send_bytes(b"!")

    def _serve(self):
        while True:
            with self._lock:
                if self._closed:
                    return
                conns = {w.conn: w for w in self._workers}
            try:  # whatever goes wrong in one pass, the pool's thread lives on
                # A worker that dies closes its end of the pipe: its connection becomes readable
                # and reading it raises EOFError, which replaces the worker.
                ready = multiprocessing.connection.wait([*conns, self._wake_r], timeout=1.0)
                for r in ready:
                    if r is self._wake_r:
                        while self._wake_r.poll():
                            self._wake_r.recv_bytes()
                    elif r in conns:
                        self._receive(conns[r])
                self._end_stuck_cancels()
                self._free.update([w.proc.pid for w in conns.values()])  # _dispatch rebalances
                self._dispatch()
            except Exception:  # noqa: BLE001 - logged; the next pass starts afresh
                log.exception("the training pool's thread")

    def _receive(self, w):
        try:
            while w.conn.poll():
                self._handle(w, w.conn.recv())
        except (EOFError, OSError):
            self._replace(w)
        except Exception:  # noqa: BLE001 - a message that cannot be read: that worker is replaced
            log.exception("a training worker's message")
            self._replace(w)

    def _end_stuck_cancels(self):
        with self._lock:  # a worker that does not confirm a cancel in time is killed, and replaced
            for w in [w for w in self._workers if w.draining and time.monotonic() - w.draining_since > self.deadline]:
                w.proc.kill()

    def _handle(self, w, msg):
        kind = msg[0]
        with self._lock:
            if kind == "ready":
                w.ready, self._start_failures = True, 0
                return
            if msg[1] == w.draining:  # the cancelled run's last words: the worker is free
                if kind in ("cancelled", "done", "paused", "error"):
                    w.draining = None
                return
            run = self._by_job.get(msg[1])
            if run is None or w.run is not run:
                return  # a late message from a run that was cancelled
            run.last_heard = time.monotonic()
            if kind == "report":
                report = msg[2]
                for key, values in report["points"].items():
                    if key.startswith(SNAPSHOT):  # of a snapshot, only the latest matters
                        run.points[key] = values
                    else:
                        run.points.setdefault(key, []).extend(values)
                run.progress, run.advice = report["progress"], report["advice"]
                return
            w.run, run.ran_before = None, run.ran_before + time.monotonic() - run.started_at  # a stay ends
            self._by_job.pop(msg[1], None)
            if kind == "paused":
                run.state, run.checkpoint = "paused", msg[2]
            elif kind == "done":
                run.state, run.result = "done", msg[2]
                trained = msg[2]["iteration"] * run.spec["batch"] - run.done_before
                self._throughput.finished(trained, time.monotonic() - run.started_at, run.images)
            elif kind == "error":
                run.state, run.error = "failed", (msg[2], msg[3])
            self._rebalance()

    def _replace(self, w):
        """A worker died: its run fails, and a new worker takes its place."""
        with self._lock:
            if w not in self._workers:
                return
            self._workers.remove(w)
            w.conn.close()
            if w.proc.poll() is None:  # its pipe broke but it lives on: end it
                w.proc.kill()
            w.proc.wait()
            if w.run is not None:
                w.run.state, w.run.error = "failed", ("worker_died", "")
                self._by_job.pop(w.run.job, None)
            # One that died before it was ready may die again (a broken install, no memory):
            # wait longer after each, rather than start interpreters in a tight loop.
            self._start_failures = 0 if w.ready else self._start_failures + 1
            delay = min(30.0, 0.5 * 2 ** self._start_failures) if self._start_failures else 0.0
            threading.Thread(target=self._respawn, args=(delay,), daemon=True).start()
            self._rebalance()

    def _respawn(self, delay):
        time.sleep(delay)
        with self._lock:
            if not self._closed and len(self._workers) < self.size:
                self._spawn()
        self._wake()

    def _dispatch(self):
        """Start queued runs on idle, ready workers, first come first served."""
        starts = []
        with self._lock:
            while self._queue:
                idle = next((w for w in self._workers if w.idle), None)
                if idle is None:
                    break
                run = self._queue.popleft()
                run.job = next(self._jobs)
                run.state, run.started_at, run.last_heard = "running", time.monotonic(), time.monotonic()
                run.done_before = run.images_done()
                self._by_job[run.job] = run
                idle.run = run
                idle.threads = self._threads()
                spec = {**run.spec, "state": run.checkpoint, "chunk": self.chunk, "threads": idle.threads}
                run.checkpoint, run.spec["step"] = None, False  # a Step is for one stay only
                idle.send_lock.acquire()  # a Stop or a cancel for this run waits until it is sent
                starts.append((idle, ("run", run.job, spec)))
        failed, tried = [], 0
        try:  # a resumed run's checkpoint is megabytes: sent without the pool's lock
            for tried, (w, msg) in enumerate(starts, 1):
                failed += [] if w.send_held(msg) else [w]  # which lets go of w's send lock
        finally:  # nothing stays locked, even after an error: the rest were never sent
            for w, _msg in starts[tried:]:
                w.send_lock.release()
        for w in failed:  # only now: replacing takes the pool's lock and sends to other workers
            self._replace(w)
        with self._lock:
            self._rebalance()

    def _threads(self):
        """BLAS threads a run gets: alone, one per free core (:mod:`serve.cpuload`); shared, one each."""
        return self._free.count if sum(w.run is not None for w in self._workers) <= 1 else 1

    def _rebalance(self):  # tell each running worker its BLAS threads when they change, not at every pass
        n = self._threads()
        for w in self._workers:
            if w.run is not None and w.threads != n:
                with contextlib.suppress(OSError):
                    w.send(("threads", w.run.job, n))
                    w.threads = n

    def _command(self, run, kind):
        with self._lock:
            w = next((w for w in self._workers if w.run is run), None)
            if w is None:
                if kind == "stop" and run.state == "queued" and run.checkpoint is not None:
                    run.spec["stop_now"] = True  # resumed, still waiting: it only ends when its turn comes
                if kind == "stop" and run.state == "paused":
                    # Its final figures need a worker for a moment: it goes first in the queue,
                    # and the worker stops it before any iteration.
                    run.spec["stop_now"] = True
                    run.state = "queued"
                    self._queue.appendleft(run)
                    self._wake()
                return
        with contextlib.suppress(OSError):
            w.send((kind, run.job))

    def _resume(self, run, step=False):
        with self._lock:
            if run.state == "paused":
                run.state, run.spec["step"] = "queued", step
                self._queue.append(run)
        self._wake()

    def _cancel(self, run, reason):
        with self._lock:
            if run in self._queue:
                self._queue.remove(run)
            w = next((w for w in self._workers if w.run is run), None)
            job = run.job
            if w is not None:  # the worker stays busy until it confirms
                w.run, w.draining, w.draining_since = None, job, time.monotonic()
                self._by_job.pop(job, None)
            if run.state in ("queued", "running", "paused"):
                run.state, run.cancel_reason = "cancelled", reason
            if self._runs.get(run.session) is run:
                del self._runs[run.session]
        if w is not None:  # sent without the pool's lock: it may wait behind a run's checkpoint
            with contextlib.suppress(OSError):
                w.send(("cancel", job))
        self._wake()
