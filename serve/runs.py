"""A session's run as a :class:`serve.pool.TrainingPool` keeps it, the states it goes
through, and how long a queued run waits."""
import threading
import time

from .protocol import Start, merge_points

QUEUED = "queued"
RUNNING = "running"
PAUSED = "paused"            # its checkpoint waits in the server; no worker holds it
DONE = "done"
FAILED = "failed"            # the worker died or refused the run
CANCELLED = "cancelled"
ACTIVE = frozenset({QUEUED, RUNNING})          # something happens without the page asking
ENDED = frozenset({DONE, FAILED, CANCELLED})   # nothing more will happen
WORKER_DIED = "worker_died"      # why a run failed, when its worker died or the pool shut down
LEFT_QUEUE = "left_queue"        # why a run was cancelled: the page dropped it
SESSION_ENDED = "session_ended"  # ... its session went away for longer than the grace period


class PoolRun:
    """One session's run in the pool, of ``job`` (a :class:`serve.protocol.Job`). Its state
    is one of ``QUEUED``, ``RUNNING``, ``PAUSED``, ``DONE``, ``FAILED`` or ``CANCELLED``.

    The page drives it: :meth:`poll` brings what is new, :meth:`stop`, :meth:`pause`
    (which frees the worker: the run's checkpoint waits in the server), :meth:`resume`,
    :meth:`step` and :meth:`cancel`. The pool changes it under its lock.
    """

    def __init__(self, pool, session, job, step=False):
        self._pool = pool
        self.session = session
        self.job = job
        self.iterations, self.batch = job.length()
        self.job_id = None               # the id of its current stay in a worker
        self.changed = threading.Event()  # set whenever its state changes (see wait_for_change)
        self.state = QUEUED
        self.points = {}                 # new history points the page has not polled yet
        self.progress = None
        self.advice = None
        self.result = None               # its Done message, once done: its figures
        self.error = None                # (code, detail) once failed
        self.checkpoint = None           # while paused: where its next stay goes on from
        self.step_next = step            # its next stay trains one iteration and pauses
        self.stop_now = False            # stopped while it waited: its next stay only measures
        self.cancel_reason = None
        self.last_heard = None           # when its worker last sent word of it
        self.started_at = None           # when its current stay in a worker began
        self.ran_before = 0.0            # seconds in workers before that stay (its wall time so far)
        self.done_before = 0             # images it had trained when that stay began

    @property
    def state(self):
        return self._state

    @state.setter
    def state(self, value):
        self._state = value
        self.changed.set()

    def wait_for_change(self, timeout):
        """Sleep until the run's state changes (it starts, pauses, ends), at most ``timeout`` s:
        the page sees a run end at once rather than at its next poll."""
        if self.changed.wait(timeout):
            self.changed.clear()

    @property
    def images(self):
        """Images the whole run trains on: iterations x batch size."""
        return self.iterations * self.batch

    def images_done(self):
        return (self.progress or {}).get("iteration", 0) * self.batch

    def images_left(self):
        return max(self.images - self.images_done(), 0)

    def poll(self):
        """What is new since the last poll: a dict with ``state``, ``points`` (series ->
        new values), ``progress``, ``advice``, ``result`` (once done), ``error`` (a code
        once failed), ``cancel_reason``, ``place`` and ``wait`` (seconds, estimated) while
        queued, ``late`` when a running worker has not reported for longer than the
        deadline, and ``run_seconds``: the wall time it has spent in workers, the queue and
        pauses left out, by the pool's clock whenever the page asks."""
        pool = self._pool
        with pool._lock:
            now = pool.clock()
            running = self.state == RUNNING and self.started_at is not None
            out = {"state": self.state, "points": self.points, "progress": self.progress,
                   "advice": self.advice, "result": self.result, "error": self.error,
                   "cancel_reason": self.cancel_reason, "late": False,
                   "run_seconds": self.ran_before + (now - self.started_at if running else 0.0)}
            self.points = {}
            if self.state == QUEUED:
                out.update(pool._queue_view(self))
            elif self.state == RUNNING:
                out["late"] = now - self.last_heard > pool.deadline
            return out

    def stop(self):
        """Ask the worker to stop the run between two chunks; the final figures follow."""
        self._pool._stop(self)

    def pause(self):
        """Stop training and give the worker back; :meth:`resume` queues the run again."""
        self._pool._pause(self)

    def resume(self):
        self._pool._resume(self)

    def step(self):
        """A paused run trains exactly one iteration, reports it whole (``snapshot_step``) and
        pauses again."""
        self._pool._resume(self, step=True)

    def cancel(self, reason=LEFT_QUEUE):
        """Drop the run: a queued one leaves the queue, a running one ends without figures.
        ``reason`` (``LEFT_QUEUE``, ``SESSION_ENDED``) is kept in ``cancel_reason``."""
        self._pool._cancel(self, reason)

    # The pool's side, under its lock.

    def begin_stay(self, job_id, now, threads, chunk):
        """It leaves the queue for a worker: returns the :class:`Start` that worker is sent."""
        start = Start(job_id, self.job, threads=threads, chunk=chunk, checkpoint=self.checkpoint,
                      step=self.step_next, stop_now=self.stop_now)
        self.job_id = job_id
        self.started_at = now
        self.last_heard = now
        self.done_before = self.images_done()
        self.checkpoint = None
        self.step_next = False  # a Step is for one stay only
        self.state = RUNNING
        return start

    def take_report(self, report):
        """Keep what a :class:`~serve.protocol.Report` brings until the page polls it."""
        merge_points(self.points, report.points)
        self.progress = report.progress
        self.advice = report.advice

    def fail(self, code, text=""):
        """It ends without figures: its worker died (``WORKER_DIED``) or refused it."""
        self.error = (code, text)
        self.state = FAILED

    def end_stay(self, now):
        """Its stay in a worker ended; returns how many seconds it lasted."""
        seconds = now - self.started_at
        self.ran_before += seconds
        return seconds


class Throughput:
    """Images a second one worker gets through, by the wall clock, for the queue's estimates.

    Measured on each run that finishes, from the moment a worker took it to its final
    figures: its evaluations, the final accuracies and whatever else the machine was
    doing (a class drawing, other workers) included, as the queue will see them. Until a
    run has finished, the runs training now tell it (their images so far over their
    time so far); before anything has trained, ``default``.
    """

    def __init__(self, default=40_000.0, clock=time.monotonic):
        self.default = default
        self.clock = clock
        self.measured = None

    def finished(self, images, seconds, planned):
        """A run's stay in a worker ended: ``images`` of its ``planned`` trained in ``seconds``.
        A stay that trained under a quarter of its run (stopped or paused early) is left
        out: its time is mostly start-up and final figures, not the pace of a run."""
        if images > 0 and seconds > 0 and images >= planned / 4:
            r = images / seconds
            self.measured = r if self.measured is None else 0.5 * self.measured + 0.5 * r

    def rate(self, running=()):
        """Images a second; ``running`` are the :class:`PoolRun` s training now."""
        if self.measured is not None:
            return self.measured
        now = self.clock()
        seen = [(r.images_done() - r.done_before) / (now - r.started_at) for r in running
                if r.started_at is not None and now - r.started_at >= 1.0 and r.images_done() > r.done_before]
        return sum(seen) / len(seen) if seen else self.default


def estimate_wait(busy_left, ahead):
    """Seconds until a queued run starts.

    Parameters
    ----------
    busy_left : list of float
        For each worker, the seconds its current run still needs (0 when idle).
    ahead : list of float
        The seconds each run ahead in the queue will need, first come first.

    Each run ahead takes the worker that is free first; the run waits for the worker
    free first after them.
    """
    free = sorted(busy_left)
    for need in ahead:
        free[0] += need
        free.sort()
    return free[0] if free else 0.0
