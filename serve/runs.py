"""The bookkeeping of a :class:`serve.pool.TrainingPool`: a session's run, and how long a
queued run waits."""
import itertools
import threading
import time


class PoolRun:
    """One session's run in the pool. Its state is one of ``queued``, ``running``,
    ``paused``, ``done``, ``failed`` (the worker died or refused the run) or ``cancelled``.

    The page drives it: :meth:`poll` brings what is new, :meth:`stop`, :meth:`pause`
    (which frees the worker: the run's checkpoint waits in the server), :meth:`resume`
    and :meth:`cancel`.
    """

    def __init__(self, pool, session, spec):
        self._pool, self.session, self.spec = pool, session, spec
        self.job = None                  # the job id of its current stay in a worker
        self.changed = threading.Event()  # set whenever its state changes (see wait_for_change)
        self.state = "queued"
        self.points = {}                 # new history points the page has not polled yet
        self.progress, self.advice, self.result, self.error = None, None, None, None
        self.checkpoint = None           # while paused
        self.cancel_reason = None
        self.last_heard = time.monotonic()
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
        return self.spec["iterations"] * self.spec["batch"]

    def images_done(self):
        return (self.progress or {}).get("iteration", 0) * self.spec["batch"]

    def images_left(self):
        return max(self.images - self.images_done(), 0)

    def poll(self):
        """What is new since the last poll: a dict with ``state``, ``points`` (series ->
        new values), ``progress``, ``advice``, ``result`` (once done), ``error`` (a code
        once failed), ``cancel_reason``, ``place`` and ``wait`` (seconds, estimated) while
        queued, ``late`` when a running worker has not reported for longer than the
        deadline, and ``run_seconds``: the wall time it has spent in workers, the queue and
        pauses left out, whenever the page asks."""
        pool = self._pool
        with pool._lock:
            out = {"state": self.state, "points": self.points, "progress": self.progress, "advice": self.advice,
                   "result": self.result, "error": self.error, "cancel_reason": self.cancel_reason, "late": False,
                   "run_seconds": self.ran_before + (time.monotonic() - self.started_at
                                                     if self.state == "running" and self.started_at else 0.0)}
            self.points = {}
            if self.state == "queued":
                ahead = list(itertools.takewhile(lambda r: r is not self, pool._queue))
                out["place"] = len(ahead) + 1 if self in pool._queue else 0
                rate = pool._throughput.rate([w.run for w in pool._workers if w.run is not None])
                left = [0.0 if w.run is None else w.run.images_left() / rate for w in pool._workers]
                out["wait"] = estimate_wait(left, [r.images / rate for r in ahead])
            elif self.state == "running":
                out["late"] = time.monotonic() - self.last_heard > pool.deadline
            return out

    def stop(self):
        """Ask the worker to stop the run between two chunks; the final figures follow."""
        self._pool._command(self, "stop")

    def pause(self):
        """Stop training and give the worker back; :meth:`resume` queues the run again."""
        self._pool._command(self, "pause")

    def resume(self):
        self._pool._resume(self)

    def step(self):
        """A paused run trains exactly one iteration, reports it whole (``snapshot_step``) and pauses again."""
        self._pool._resume(self, step=True)

    def cancel(self, reason="left_queue"):
        """Drop the run: a queued one leaves the queue, a running one ends without figures.
        ``reason`` (``left_queue``, ``session_ended``) is kept in ``cancel_reason``."""
        self._pool._cancel(self, reason)


class Throughput:
    """Images a second one worker gets through, by the wall clock, for the queue's estimates.

    Measured on each run that finishes, from the moment a worker took it to its final
    figures: its evaluations, the final accuracies and whatever else the machine was
    doing (a class drawing, other workers) included, as the queue will see them. Until a
    run has finished, the runs training now tell it (their images so far over their
    time so far); before anything has trained, ``default``.
    """

    def __init__(self, default=40_000.0):
        self.default, self.measured = default, None

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
        now = time.monotonic()
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
