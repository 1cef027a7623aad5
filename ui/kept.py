"""The session's last finished or stopped runs, kept for comparison and for the Draw and
Evaluate tabs: settings, history, final accuracies, timing and the model.

A kept run holds what the page draws of it and no more: its history as NumPy arrays,
the loss smoothed and thinned to the points a chart draws (a 20,000-iteration run's
curve in 8 KB, not the 1.3 MB of two lists), and its model as a handle to the model
file in the training pool's files, read into a network only when a page reads with it
(:mod:`ui.networks`). At most ``MAX_KEPT`` are kept: the oldest goes first.
"""
from dataclasses import dataclass

import numpy as np
import streamlit as st

from serve.protocol import SNAPSHOT

from .charts import MAX_POINTS, smooth
from .networks import network

MAX_KEPT = 5
KEPT_OUTCOMES = ("finished", "stopped")


@dataclass
class KeptRun:
    number: int          # its place among the session's kept runs: 1, 2, ...
    settings: object     # its TrainSettings
    history: dict        # series -> ndarray
    final: dict          # accuracy on the full sets: train, valid, test
    outcome: tuple
    wall_seconds: float
    model: object        # its model file (serve.files.StoredFile)
    w1_init: object      # the first layer's tiles at the start (for "what training changed"), or None

    @property
    def net(self):
        """Its network, read when asked (shared by the sessions reading with it: read only)."""
        return network(self.model)

    def model_file(self):
        """Its model as an .npz file's bytes, read when asked (a download button calls it on a click)."""
        return self.model.read()


PER_ITERATION = ("iteration", "loss")  # a point per iteration: thinned once kept


def compact(history):
    """A run's history with each series as one array, its snapshots dropped, and the loss
    as the comparison draws it: ``loss_smooth`` (:func:`ui.charts.smooth`), at no more than
    ``MAX_POINTS`` + 1 of its iterations, the last among them."""
    out = {}
    for key, values in history.items():
        if key.startswith(SNAPSHOT) or key in PER_ITERATION:
            continue
        a = np.asarray(values)
        out[key] = a.astype(np.float32) if a.dtype == np.float64 else a
    n = min(len(history.get("iteration", ())), len(history.get("loss", ())))
    at = np.unique(np.r_[np.arange(0, n, max(1, n // MAX_POINTS)), n - 1]) if n else np.zeros(0, int)
    out["iteration"] = np.asarray(history.get("iteration", [])[:n], dtype=np.int64)[at]
    out["loss_smooth"] = smooth(history.get("loss", [])[:n])[at].astype(np.float32)
    return out


def kept_runs():
    """The kept runs, oldest first (a list in session state)."""
    return st.session_state.setdefault("kept_runs", [])


def keep(run):
    """Keep ``run`` (a :class:`ui.run.Run`) once it has finished or been stopped; once only."""
    if run.kept is not None or not run.done or not run.outcome:
        return run.kept
    if run.outcome[0] not in KEPT_OUTCOMES or run.model is None or len(run.history["eval_iteration"]) < 2:
        return None  # a run stopped before its first evaluation (a Step or two) has nothing to compare
    runs = kept_runs()
    number = st.session_state["kept_counter"] = st.session_state.get("kept_counter", 0) + 1
    k = KeptRun(number, run.settings, compact(run.history), dict(run.final), run.outcome,
                run.wall_seconds, run.model, run.snapshot("w1_init"))
    runs.append(k)
    del runs[:-MAX_KEPT]
    run.kept = k
    return k


def forget():
    """Forget every kept run (the current run, if any, stays), and what was measured of them."""
    st.session_state.kept_runs = []
    st.session_state.pop("evaluations", None)
