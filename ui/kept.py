"""The session's last finished or stopped runs, kept for comparison and for the Draw and
Evaluate tabs: settings, history, final accuracies, timing and the model.

A kept run holds its history as NumPy arrays (a 20,000-iteration run's losses take
80 KB, not the 640 KB of a list of floats) and its network; its model file is made
again when it is downloaded. At most ``MAX_KEPT`` are kept: the oldest goes first.
"""
from dataclasses import dataclass

import numpy as np
import streamlit as st

from ffn.model_io import model_bytes
from serve.protocol import SNAPSHOT

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
    net: object          # the trained MultiLayerNet
    w1_init: object      # the first layer's tiles at the start (for "what training changed"), or None

    def model_file(self):
        """Its model as an .npz file's bytes, made when asked (a download button calls it on a click)."""
        return model_bytes(self.net)


def compact(history):
    """A run's history with each series as one array, its snapshots dropped."""
    out = {}
    for key, values in history.items():
        if key.startswith(SNAPSHOT):
            continue
        a = np.asarray(values)
        out[key] = a.astype(np.float32) if a.dtype == np.float64 else a
    return out


def kept_runs():
    """The kept runs, oldest first (a list in session state)."""
    return st.session_state.setdefault("kept_runs", [])


def keep(run):
    """Keep ``run`` (a :class:`ui.run.Run`) once it has finished or been stopped; once only."""
    if run.kept is not None or not run.done or not run.outcome:
        return run.kept
    if run.outcome[0] not in KEPT_OUTCOMES or run.net is None or len(run.history["eval_iteration"]) < 2:
        return None  # a run stopped before its first evaluation (a Step or two) has nothing to compare
    runs = kept_runs()
    number = st.session_state["kept_counter"] = st.session_state.get("kept_counter", 0) + 1
    k = KeptRun(number, run.settings, compact(run.history), dict(run.final), run.outcome,
                run.wall_seconds, run.net, run.snapshot("w1_init"))
    runs.append(k)
    del runs[:-MAX_KEPT]
    run.kept = k
    return k


def forget():
    """Forget every kept run (the current run, if any, stays), and what was measured of them."""
    st.session_state.kept_runs = []
    st.session_state.pop("evaluations", None)
