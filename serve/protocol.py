"""The wire between the pool and its workers: what a worker runs (:class:`Job`), the
commands it reads, the messages it sends back, and the one place that turns them into
what goes through the pipe.

On the pipe, a message is a tuple: its kind (``'run'``, ``'report'``...), then its fields
as builtins and NumPy arrays, pickled by :class:`multiprocessing.connection.Connection`
between the server's own processes (never from a user). :func:`to_wire` and
:func:`from_wire` alone build and read those tuples.

A :class:`Report` carries only what is new since the last one: ``points`` maps each series
of the trainer's history (``loss``, ``valid_acc``, the gradient health...) to its new
values, so a later series is one more key, not a new message. A series named
``SNAPSHOT + ...`` holds pictures of the run, of which only the latest matters.
"""
import dataclasses
from dataclasses import dataclass

from ffn.settings import Limits, TrainSettings, run_length

TRAIN = "train"          # a run, to its end
GRADCHECK = "gradcheck"  # no training: the gradient check of the job's params, or of its starting weights
TASKS = (TRAIN, GRADCHECK)
SNAPSHOT = "snapshot_"   # a series with this prefix keeps only its latest value, on its way and at the page


class ProtocolError(ValueError):
    """Something came through the pipe that is not a message of this protocol. ``refused``
    is the job id of a Start whose job could not be read (its run is refused), else None."""

    def __init__(self, message, refused=None):
        super().__init__(message)
        self.refused = refused


@dataclass(frozen=True)
class Job:
    """What a worker runs: a training run, or a gradient check.

    Parameters
    ----------
    settings : TrainSettings
    limits : Limits
        The bounds the worker checks ``settings`` against.
    eval_size : int
        Images in the fixed subsets the accuracy curves are measured on.
    evals_per_run : int
        About how many accuracy measurements a run makes, whatever its length.
    task : {'train', 'gradcheck'}
    params : ndarray of shape (n,), optional
        For a gradient check, the network's ``state_vector`` (weights, then running
        statistics); None checks the weights ``settings`` start from.
    command : str
        What made the model, as its saved file says.
    """
    settings: TrainSettings
    limits: Limits
    eval_size: int
    evals_per_run: int
    task: str = TRAIN
    params: object = None
    command: str = "ffn worker"

    def __post_init__(self):
        if self.task not in TASKS:
            raise ValueError(f"task must be one of {TASKS}, got {self.task!r}")

    def length(self):
        """(iterations, batch) the run trains, as the trainer counts them; (0, 0) for a check."""
        if self.task == GRADCHECK:
            return 0, 0
        iterations, batch, _n_train, _epochs = run_length(self.settings)
        return iterations, batch


# Commands, from the pool to a worker. A worker reads Stop, Pause, Cancel and Fork
# between two chunks of training; one for a run that already ended needs no answer.

@dataclass(frozen=True)
class Start:
    """Train ``job`` under the id ``job_id``: one stay of a run in a worker."""
    job_id: int
    job: Job
    chunk: float              # seconds of training between two reports
    checkpoint: str = None    # the file of a paused run's state (ffn.checkpoint.save) to go on from;
                              # the worker deletes it once read
    step: bool = False        # train one iteration, report it whole (SNAPSHOT + 'step') and pause
    stop_now: bool = False    # a run stopped while it waited: its final figures, no training
    spool: str = None         # the folder where a pause writes the run's state (default: the system's)


@dataclass(frozen=True)
class Stop:
    """End the run where it is; its final figures follow."""
    job_id: int


@dataclass(frozen=True)
class Pause:
    """Send the run's checkpoint back and free the worker."""
    job_id: int


@dataclass(frozen=True)
class Cancel:
    """End the run without figures."""
    job_id: int


@dataclass(frozen=True)
class Fork:
    """Others watch this run and one session wants a run of its own from here: its final
    figures as it is now (``stop``), its checkpoint (``pause``), or both. The run trains on."""
    job_id: int
    stop: bool = False
    pause: bool = False


# Messages, from a worker to the pool.

@dataclass(frozen=True)
class Ready:
    """The worker has loaded MNIST and waits for a run."""
    pid: int


@dataclass(frozen=True)
class Report:
    """What is new after a chunk: history points by series, the progress figures, a stall's advice."""
    job_id: int
    points: dict
    progress: dict
    advice: tuple = None


@dataclass(frozen=True)
class Paused:
    """The run stopped for now at ``iteration``; the file ``checkpoint`` (in the Start's
    ``spool``) goes on from here."""
    job_id: int
    iteration: int
    checkpoint: str


@dataclass(frozen=True)
class Done:
    """The run ended with its figures; a gradient check ends with its ``check`` rows alone."""
    job_id: int
    iteration: int            # the iterations trained (0 for a gradient check)
    status: str = None        # the trainer's: finished, stopped or diverged
    outcome: tuple = None     # why it ended, (code, values): ffn.Trainer.outcome
    final: dict = None        # accuracy on the full sets: {'train', 'valid', 'test'}
    model: bytes = None       # the trained network's .npz file
    check: list = None        # a gradient check's rows (ffn.gradcheck.gradient_check)


@dataclass(frozen=True)
class Forked:
    """What a :class:`Fork` asked, of the run at ``iteration``: for a stop its ``outcome``,
    ``final`` figures and ``model``; for a pause its ``checkpoint``'s file ('' when it could
    not be written: a full disk)."""
    job_id: int
    iteration: int
    outcome: tuple = None
    final: dict = None
    model: bytes = None
    checkpoint: str = None


@dataclass(frozen=True)
class Cancelled:
    """The run was cancelled and the worker is free."""
    job_id: int


@dataclass(frozen=True)
class Error:
    """The worker refused the run: a code (``settings``, ``params``...) and its detail."""
    job_id: int
    code: str
    text: str


COMMANDS = (Start, Stop, Pause, Cancel, Fork)        # what a worker reads
MESSAGES = (Ready, Report, Paused, Done, Forked, Cancelled, Error)  # what the pool reads
KINDS = {"run": Start, "stop": Stop, "pause": Pause, "cancel": Cancel, "fork": Fork,
         "ready": Ready, "report": Report, "paused": Paused, "done": Done, "forked": Forked,
         "cancelled": Cancelled,
         "error": Error}
_KIND_OF = {cls: kind for kind, cls in KINDS.items()}


def to_wire(msg):
    """The tuple that goes through the pipe for ``msg``: its kind, then its fields in order."""
    kind = _KIND_OF.get(type(msg))
    if kind is None:
        raise ProtocolError(f"not a message of the protocol: {msg!r}")
    values = [getattr(msg, f.name) for f in dataclasses.fields(msg)]
    if isinstance(msg, Start):
        values[1] = job_fields(msg.job)
    return (kind, *values)


def from_wire(data):
    """The message that ``data``, a tuple made by :func:`to_wire`, stands for.

    Raises ProtocolError for anything else: not a tuple, an unknown kind, the wrong number
    of fields, a job that cannot be read.
    """
    if not isinstance(data, tuple) or not data or not isinstance(data[0], str):
        raise ProtocolError(f"a message is a tuple that starts with its kind, got {data!r:.200}")
    cls = KINDS.get(data[0])
    if cls is None:
        raise ProtocolError(f"unknown message kind {data[0]!r}; expected one of {sorted(KINDS)}")
    names = [f.name for f in dataclasses.fields(cls)]
    values = list(data[1:])
    if len(values) != len(names):
        raise ProtocolError(f"a {data[0]!r} message carries {len(names)} value(s) ({', '.join(names)}), "
                            f"got {len(values)}")
    if cls is Start:
        values[1] = _job_from_wire(values[1], values[0])
    return cls(*values)


def merge_points(into, points):
    """Add a report's ``points`` to the series of ``into``: a series' new values go after its
    old ones, and of a ``SNAPSHOT`` series only the latest value is kept."""
    for key, values in points.items():
        if key.startswith(SNAPSHOT):
            into[key] = list(values[-1:])
        else:
            into.setdefault(key, []).extend(values)


def send(conn, msg):
    """Send ``msg`` through the connection ``conn``."""
    conn.send(to_wire(msg))


def receive(conn, expected):
    """The next message from ``conn``, one of the types ``expected`` (:data:`COMMANDS` or
    :data:`MESSAGES`); ProtocolError for another, EOFError once the other end has closed."""
    msg = from_wire(conn.recv())
    if not isinstance(msg, expected):
        raise ProtocolError(f"a {type(msg).__name__} message goes the other way")
    return msg


def job_fields(job):
    """``job`` as builtins: its fields, its settings and limits as dicts."""
    fields = {f.name: getattr(job, f.name) for f in dataclasses.fields(job)}
    return {**fields, "settings": job.settings.to_dict(), "limits": dataclasses.asdict(job.limits)}


def _job_from_wire(fields, job_id=None):
    try:
        settings = TrainSettings.from_dict(fields["settings"])
        return Job(**{**fields, "settings": settings, "limits": Limits(**fields["limits"])})
    except (TypeError, KeyError, ValueError) as e:
        raise ProtocolError(f"not a job: {e}", refused=job_id) from e
