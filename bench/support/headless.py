"""A preset's run headless, as the app's worker builds it, for the benches that compare the
app against it (``bench.live_training``, ``bench.classroom``); and the presets' labels in the
sidebar."""
import os
import subprocess
import sys
from pathlib import Path

from ui.fields import PRESET_LABELS

ROOT = Path(__file__).resolve().parents[2]  # the checkout
LABELS = PRESET_LABELS  # the presets as the English sidebar names them
SCRIPT = """
import time
import ffn
from ui.run import APP_LIMITS, EVAL_SIZE, EVALS_PER_RUN
(x, t), (xt, tt) = ffn.load_mnist()
tr = ffn.build_trainer(ffn.preset({preset!r}), x, t, limits=APP_LIMITS, eval_size=EVAL_SIZE,
                       evals_per_run=EVALS_PER_RUN)
t0, c0 = time.perf_counter(), time.process_time()
tr.step()
tr.final_accuracy(xt, tt)  # a worker measures these too, as part of the run
print(time.perf_counter() - t0, time.process_time() - c0, tr.iteration * tr.batch_size)
"""


def headless(preset, prefix=(), env=None):
    """Run ``preset`` to its final accuracies in a fresh Python (``prefix``: e.g. taskset).

    Returns ``(wall seconds, CPU seconds, images trained)``, timed from the first step to
    the final accuracies (MNIST's loading and the trainer's building left out).
    """
    # ``python -c`` puts its working directory, the checkout, first on sys.path: this ffn and ui
    out = subprocess.run([*prefix, sys.executable, "-c", SCRIPT.format(preset=preset)], cwd=ROOT,
                         capture_output=True, text=True, env={**os.environ, **(env or {})},
                         check=True).stdout
    wall, cpu, images = out.split()
    return float(wall), float(cpu), int(images)
