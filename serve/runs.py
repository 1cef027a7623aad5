"""A run as a :class:`serve.pool.TrainingPool` keeps it, the states it goes through, and
how long a queued run waits."""
import itertools

from . import cost
from .protocol import SNAPSHOT, Start, merge_points

QUEUED = "queued"
RUNNING = "running"
PAUSED = "paused"            # its checkpoint waits in the server's files; no worker holds it
DONE = "done"
FAILED = "failed"            # the worker died or refused the run
CANCELLED = "cancelled"
ACTIVE = frozenset({QUEUED, RUNNING})          # something happens without the page asking
ENDED = frozenset({DONE, FAILED, CANCELLED})   # nothing more will happen
WORKER_DIED = "worker_died"      # why a run failed, when its worker died or the pool shut down
LEFT_QUEUE = "left_queue"        # why a run was cancelled: the page dropped it
SESSION_ENDED = "session_ended"  # ... its session went away for longer than the grace period
BROWSER_BUSY = "browser_busy"    # why a run was refused: another tab of the browser has one
QUEUE_FULL = "queue_full"        # ... the queue holds as much work as it may


class Refused(ValueError):
    """The pool would not queue a run: ``code`` (``BROWSER_BUSY``, ``QUEUE_FULL``) says why,
    ``values`` hold its numbers for the page to word (e.g. the queue's ``wait`` in seconds)."""

    def __init__(self, code, message, **values):
        super().__init__(message)
        self.code, self.values = code, values


_SERIALS = itertools.count(1)  # each run's number in this process: never reused


class PoolRun:
    """One training run in the pool, of ``job`` (a :class:`serve.protocol.Job`), watched by
    one or more sessions' :class:`~serve.seats.Seat` s. Its state is one of ``QUEUED``,
    ``RUNNING``, ``PAUSED``, ``DONE``, ``FAILED`` or ``CANCELLED``.

    ``key`` (:func:`serve.seats.job_key`) is set while other sessions may join it: a run
    that was paused, or began with Step, is private (``key`` None) and never joined. It
    keeps every point its worker reported (``history``), so that a session that joins
    late sees the curves from the first point. The pool changes it under its lock.
    """

    def __init__(self, pool, job, step=False, key=None):
        self._pool = pool
        self.job = job
        self.key = key
        self.serial = next(_SERIALS)
        self.iterations, self.batch = job.length()
        self.work = cost.run_work(job)   # what it costs a worker, all of it (serve.cost)
        self.seats = set()               # the sessions' seats watching it
        self.joined = 0                  # seats it has had in all
        self.job_id = None               # the id of its current stay in a worker
        self._state = QUEUED
        self.history = {}                # every point reported, by series (snapshots: the latest)
        self.snapshots = {}              # snapshot series -> how many were reported
        self.progress = None
        self.advice = None
        self.result = None               # its Done message, once done: its figures
        self.error = None                # (code, detail) once failed
        self.checkpoint = None           # while paused: its state's file (serve.files.StoredFile)
        self.handed_over = None          # the path of the checkpoint its current stay began from
        self.step_next = step            # its next stay trains one iteration and pauses
        self.stop_now = False            # stopped while it waited: its next stay only measures
        self.cancel_reason = None
        self.last_heard = None           # when its worker last sent word of it
        self.started_at = None           # when its current stay in a worker began
        self.ran_before = 0.0            # seconds in workers before that stay (its wall time so far)

    @property
    def state(self):
        return self._state

    @state.setter
    def state(self, value):
        self._state = value
        if value in ENDED and self.checkpoint is not None:  # nothing will go on from it
            self.checkpoint.release()
            self.checkpoint = None
        for seat in self.seats:  # each page sees a run end at once, not at its next poll
            seat.changed.set()

    @property
    def images(self):
        """Images the whole run trains on: iterations x batch size."""
        return self.iterations * self.batch

    def images_done(self):
        return (self.progress or {}).get("iteration", 0) * self.batch

    def work_done(self):
        """The work of the iterations it has trained (:mod:`serve.cost`)."""
        return cost.work_done(self.job, (self.progress or {}).get("iteration", 0))

    def work_left(self):
        """The work it has left: its iterations to come and its final figures; only those
        figures for a run stopped while it waited, one iteration for a Step."""
        done = (self.progress or {}).get("iteration", 0)
        if self.stop_now:
            return max(self.work - cost.work_done(self.job, self.iterations), 0.0)
        if self.step_next:
            return cost.work_done(self.job, done + 1) - cost.work_done(self.job, done)
        return max(self.work - self.work_done(), 0.0)

    def run_seconds(self, now):
        """Its wall time in workers so far: the queue and pauses left out."""
        running = self.state == RUNNING and self.started_at is not None
        return self.ran_before + (now - self.started_at if running else 0.0)

    # The pool's side, under its lock.

    def begin_stay(self, job_id, now, chunk, spool=None):
        """It leaves the queue for a worker: returns the :class:`Start` that worker is sent.
        Its checkpoint's file is the worker's from now on; a pause writes to ``spool``."""
        self.handed_over = None if self.checkpoint is None else self.checkpoint.hand_over()
        start = Start(job_id, self.job, chunk=chunk, checkpoint=self.handed_over, step=self.step_next,
                      stop_now=self.stop_now, spool=spool)
        self.job_id = job_id
        self.started_at = now
        self.last_heard = now
        self.checkpoint = None
        self.step_next = False  # a Step is for one stay only
        self.state = RUNNING
        return start

    def take_report(self, report):
        """Keep what a :class:`~serve.protocol.Report` brings, for every seat."""
        merge_points(self.history, report.points)
        for key in report.points:
            if key.startswith(SNAPSHOT):
                self.snapshots[key] = self.snapshots.get(key, 0) + 1
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

    def copy_for(self, seat, state, now):
        """A private run of its own for ``seat``, as this one is now: its points so far, its
        progress and wall time. A stop's copy is ``DONE`` (its figures follow), a pause's
        ``PAUSED``; the seat moves to it."""
        other = PoolRun(self._pool, self.job)
        other.history = {k: list(v) for k, v in self.history.items()}
        other.snapshots = dict(self.snapshots)
        other.progress, other.advice = self.progress, self.advice
        other.ran_before = self.run_seconds(now)
        other.started_at = self.started_at  # it began with this run: never 'a run that never started'
        other._state = state
        self.seats.discard(seat)
        other.seats.add(seat)
        other.joined = 1
        seat.run, seat.wants = other, None
        seat.changed.set()
        return other


class Pace:
    """How fast this server's workers train now, in work a second (:mod:`serve.cost`), for
    the queue's estimates.

    Each worker's pace is measured on its run as it trains: the work of the iterations it
    reported over the last ``window`` seconds of the pool's clock. Whatever slows it down
    now is in it: a class drawing, the other workers, another replica's workers on the
    same cores. A worker that trains nothing is expected to go at the pace measured last
    on any (within ``window`` x 6 s), or else at ``default`` times the share of a core that
    other programs leave free (``free_share``, :class:`serve.cpuload.CpuLoad`).
    """

    def __init__(self, default, window=10.0, free_share=lambda: 1.0):
        self.default = default
        self.window = window
        self.free_share = free_share
        self._seen = {}         # worker -> [(time, work done)], its current stay's, the latest window
        self._last = None       # (time, pace) measured last on any worker

    def began(self, worker, now, work):
        """``worker`` began a stay, with ``work`` of its run already done."""
        self._seen[worker] = [(now, work)]

    def reported(self, worker, now, work):
        """``worker`` reported its run's work done so far."""
        seen = self._seen.setdefault(worker, [(now, work)])
        seen.append((now, work))
        while len(seen) > 2 and now - seen[1][0] >= self.window:
            seen.pop(0)
        pace = self.of(worker)
        if pace is not None:
            self._last = (now, pace)

    def ended(self, worker):
        self._seen.pop(worker, None)

    def of(self, worker):
        """``worker``'s pace now, or None until it has trained a second."""
        seen = self._seen.get(worker)
        if not seen or seen[-1][0] - seen[0][0] < 1.0 or seen[-1][1] <= seen[0][1]:
            return None
        return (seen[-1][1] - seen[0][1]) / (seen[-1][0] - seen[0][0])

    def expected(self, now):
        """The pace a worker that begins a run now is expected to go at."""
        if self._last is not None and now - self._last[0] <= 6 * self.window:
            return self._last[1]
        return self.default * self.free_share()


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
    free = sorted(busy_left) or [0.0]  # no worker this moment (one is being replaced): one comes
    for need in ahead:
        free[0] += need
        free.sort()
    return free[0] if free else 0.0
