"""What the app keeps per session about a training run, and the app's own policy.

A :class:`Run` is the page's view of a run that trains in the server's pool of worker
processes (:mod:`serve.pool`): the page only sends commands and polls, and keeps the
history the worker has reported so far to draw the charts. The limits here are the
app's: a hosted demo shared by a class allows smaller runs than the library, and
measures accuracy on subsets during a run so that it costs little.
"""
import time
from dataclasses import dataclass, field

from ffn import checkpoint
from ffn.architecture import param_count
from ffn.settings import INPUT_SIZE, OUTPUT_SIZE, Limits, check
from ffn.trainer import HISTORY_KEYS
from serve.protocol import GRADCHECK, SNAPSHOT, TRAIN, Job, merge_points
from serve.runs import ACTIVE, DONE, ENDED, PAUSED, QUEUED

from .networks import network

APP_LIMITS = Limits(max_units=512, max_layers=6, max_batch=1024, max_iters=20000,
                    max_samples=1_500_000)  # the sidebar's 784-H-...-H/2-10, 25 epochs of MNIST
# The largest network the sidebar builds, 784-512-512-512-512-512-256-10 with batch
# normalisation, has 1,592,074 weights (the bundled model, 784-512-256-10, 535,818). A model
# handed in must read a 28x28 digit into ten classes, with at most twice that many weights.
LARGEST_TRAINABLE = param_count(INPUT_SIZE, [APP_LIMITS.max_units] * (APP_LIMITS.max_layers - 1)
                                + [APP_LIMITS.max_units // 2], OUTPUT_SIZE, "batch")
MODEL_LIMITS = dict(input_size=INPUT_SIZE, output_size=OUTPUT_SIZE, max_params=2 * LARGEST_TRAINABLE)
EVAL_SIZE = 2000      # images in the fixed subsets the accuracy curves are measured on
EVALS_PER_RUN = 25    # about this many accuracy measurements a run, whatever its length


def app_job(settings, task=TRAIN, params=None):
    """The :class:`~serve.protocol.Job` the app sends the pool for ``settings``: its limits,
    its accuracy subsets (ValueError if the settings are out of range)."""
    check(settings, APP_LIMITS)
    return Job(settings, APP_LIMITS, EVAL_SIZE, EVALS_PER_RUN, task=task, params=params,
               command="trained in the ffn-digits app")


class GradCheck:
    """The article's gradient check of ``what`` (a network's ``params``, or the weights its
    settings start from), as a short job in the pool. Panels read it; only this touches the job."""

    def __init__(self, settings, params, what, session, pool):
        self.what = what
        self._handle = pool.submit(f"{session}:check", app_job(settings, task=GRADCHECK, params=params))

    @property
    def pending(self):
        """Waiting in the queue or checking."""
        return self._handle.state in ACTIVE

    @property
    def queued(self):
        return self._handle.state == QUEUED

    def where(self):
        """(its place in the queue, the seconds until it starts) while queued, else None (it
        may have left the queue a moment ago)."""
        seen = self._handle.poll()
        return (seen["place"], seen["wait"]) if seen["state"] == QUEUED and "place" in seen else None

    def wait(self, seconds, queued=0.5):
        """Wait up to ``seconds`` for the check to end, but no longer than ``queued`` seconds
        while it waits in the queue: a check behind other runs never holds the page."""
        start = time.monotonic()
        while self.pending and time.monotonic() - start < seconds:
            if self.queued and time.monotonic() - start >= queued:
                return
            self._handle.wait_for_change(0.1 if self.queued else 0.25)

    @property
    def rows(self):
        """:func:`ffn.gradcheck.gradient_check`'s rows once done, else None."""
        return self._handle.result.check if self._handle.state == DONE else None


@dataclass
class Run:
    """One training run of the app, started from ``settings``, training in the pool.

    ``state`` is the pool's (:mod:`serve.runs`: ``QUEUED``, ``RUNNING``, ``PAUSED``, ``DONE``,
    ``FAILED`` or ``CANCELLED``), as of the last :meth:`sync`. ``history`` holds every point
    reported so far, by series.
    """
    settings: object
    handle: object                 # its serve.seats.Seat: only this class touches it
    state: str = QUEUED
    history: dict = field(default_factory=lambda: {k: [] for k in HISTORY_KEYS})
    progress: dict = None
    advice: tuple = None
    outcome: tuple = None
    final: dict = field(default_factory=dict)
    model: object = None           # its model file in the pool's files (serve.files.StoredFile), once done
    error: tuple = None            # (code, detail) when the run failed
    cancel_reason: str = None      # serve.runs.LEFT_QUEUE or SESSION_ENDED, when cancelled
    place: int = 0                 # while queued: its place in the queue
    wait: float = 0.0              # while queued: the estimated seconds until it starts
    late: bool = False             # running, but its worker has not reported lately
    wall_seconds: float = 0.0      # time spent running, pauses and the queue excluded
    students: int = 1              # the sessions it trains for: identical runs train once (serve.seats)
    kept: object = None            # its ui.kept.KeptRun once kept

    @classmethod
    def start(cls, settings, session, pool, step=False, browser=None):
        """Check the settings against the app's limits and queue the run, or join the same
        run another session started (ValueError if out of range; :class:`serve.runs.Refused`
        if the pool will not take it). ``step``: it trains one iteration and pauses (the
        Step button before a run); ``browser`` names the session's browser."""
        return cls(settings, pool.submit(session, app_job(settings), step=step, browser=browser))

    @property
    def net(self):
        """The trained network once done, read from its model file when asked (shared: read only)."""
        return None if self.model is None else network(self.model)

    @property
    def active(self):
        """Queued or training: the page should keep polling."""
        return self.state in ACTIVE

    @property
    def paused(self):
        return self.state == PAUSED

    @property
    def done(self):
        """Ended, whichever way: done, failed or cancelled."""
        return self.state in ENDED

    def ended_since_sync(self):
        """Whether the pool has ended the run since the page last saw it queued or training:
        a look at its state, without polling what is new."""
        return self.active and self.handle.state in ENDED

    def sync(self):
        """Bring in what the worker reported since the last call."""
        p = self.handle.poll()
        self.wall_seconds = p["run_seconds"]  # the pool's clock: a page that looked away is not counted
        merge_points(self.history, p["points"])
        self.state, self.late = p["state"], p["late"]
        self.progress = p["progress"] or self.progress
        self.advice = p["advice"]
        self.place, self.wait = p.get("place", 0), p.get("wait", 0.0)
        self.students = p["students"]
        if p["result"] is not None and not self.final:
            self.outcome, self.model = p["result"].outcome, p["result"].model
            self.final = p["result"].final  # last: a reader that sees final also sees the rest
        self.error, self.cancel_reason = p["error"], p["cancel_reason"]
        return self

    def wait_for_change(self, seconds):
        """Sleep ``seconds``, or less if the run's state changes meanwhile."""
        self.handle.wait_for_change(seconds)

    def share_key(self):
        """What names this run's curves for every page that watches it (its settings, when
        other sessions may join it, and which run of them it is: the next class on the same
        link trains a new one), or None for a run of its own."""
        run = getattr(self.handle, "run", None)
        key = getattr(run, "key", None)
        return None if key is None else (key, run.serial)

    def snapshot(self, key):
        """The latest ``snapshot_<key>`` the worker sent (``w1``, ``w1_init``, ``step``), or None."""
        values = self.history.get(SNAPSHOT + key)
        return values[-1] if values else None

    def params(self):
        """The run's current state (weights, then batch norm's running statistics) as one
        vector when it is paused or finished, else None: a network's ``state_vector``."""
        if self.model is not None:
            return self.net.state_vector
        stored = getattr(self.handle, "checkpoint", None) if self.paused else None
        try:
            return None if stored is None else checkpoint.load_params(stored.path)
        except OSError:  # resumed this moment: its file is the worker's
            return None

    def toggle_pause(self):
        (self.handle.resume if self.paused else self.handle.pause)()

    def step(self):
        """A paused run trains one iteration, shows it whole and pauses again."""
        self.handle.step()

    def stop(self):
        """Stop training (the final figures follow), or leave the queue if it never started."""
        never_started = self.state == QUEUED and self.handle.started_at is None
        (self.handle.cancel if never_started else self.handle.stop)()

    def cancel(self):
        """Drop the run without figures (Reset): it leaves the queue, or its worker."""
        self.handle.cancel()
