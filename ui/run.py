"""What the app keeps per session about a training run, and the app's own policy.

A :class:`Run` wraps a :class:`~ffn.trainer.Trainer` with what the page needs around
it: pause, the wall-clock time of the run, and the final figures computed once. The
limits here are the app's: a hosted demo shared by a class allows smaller runs than
the library, and measures accuracy on subsets during a run so that it costs little.
"""
import threading
import time
from dataclasses import dataclass, field

from ffn.model_io import model_bytes
from ffn.architecture import param_count
from ffn.settings import Limits, build_trainer, run_metadata

APP_LIMITS = Limits(max_units=512, max_layers=2, max_batch=1024, max_iters=20000,
                    max_samples=1_500_000)  # the sidebar's 784-H-H/2-10, 25 epochs of MNIST
# The largest network the sidebar builds, 784-512-256-10, is also the bundled model's
# architecture: 535,818 weights. A model handed in must read a 28x28 digit into ten
# classes, with at most twice that many weights.
LARGEST_TRAINABLE = param_count(784, [APP_LIMITS.max_units, APP_LIMITS.max_units // 2], 10)
MODEL_LIMITS = dict(input_size=784, output_size=10, max_params=2 * LARGEST_TRAINABLE)
EVAL_SIZE = 2000      # images in the fixed subsets the accuracy curves are measured on
EVALS_PER_RUN = 25    # about this many accuracy measurements a run, whatever its length


@dataclass
class Run:
    """One training run of the app, started from ``settings``."""
    trainer: object
    settings: object
    paused: bool = False
    wall_seconds: float = 0.0      # wall time of the run so far, pauses excluded
    _last_end: float = 0.0         # perf_counter at the end of the last tick; 0 after a pause
    final: dict = field(default_factory=dict)
    model_file: bytes = b""
    _finish_lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    @classmethod
    def start(cls, settings, x, t):
        """Check the settings against the app's limits and build the run (ValueError if out of range)."""
        return cls(build_trainer(settings, x, t, limits=APP_LIMITS, eval_size=EVAL_SIZE,
                                 evals_per_run=EVALS_PER_RUN), settings)

    @property
    def active(self):
        """Training and not paused: the page should keep ticking."""
        return not self.trainer.done and not self.paused

    def tick(self, seconds):
        """Train for about ``seconds``.

        ``wall_seconds`` grows by the time since the previous tick ended, so it counts
        what the page costs between ticks (charts, the browser's round trip) too.

        Returns
        -------
        int
            Iterations run: 0 when the run is over, or when another thread holds it.
        """
        t0 = time.perf_counter()
        ran = self.trainer.step(max_seconds=seconds)  # 0 at once if another thread is stepping
        if not ran:
            return 0
        end = time.perf_counter()
        self.wall_seconds += end - (self._last_end or t0)
        self._last_end = end
        return ran

    def set_paused(self, paused):
        self.paused = paused
        self._last_end = 0.0

    def finish(self, x_test, t_test):
        """Once the run is over: full-set accuracies and the model file, computed once.

        Two script threads may both find the run over; the second waits for the first
        and gets its figures.
        """
        with self._finish_lock:
            if self.trainer.done and not self.final:
                tr = self.trainer
                final = tr.final_accuracy(x_test, t_test)
                tr.net.meta.update(run_metadata(tr, self.settings, final, command="trained in the ffn-digits app"))
                self.model_file = model_bytes(tr.net)
                self.final = final  # last: a reader that sees final also sees model_file
        return self.final
