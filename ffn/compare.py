"""Runs side by side: what differs between their settings, and their curves on a shared axis."""
import dataclasses

import numpy as np

from .settings import TrainSettings, run_length
from .length import iters_per_epoch

# What the settings are compared on: every field a student sets (the run's length counts
# as iterations, epochs or both, as given).
FIELDS = tuple(f.name for f in dataclasses.fields(TrainSettings))


def differing_settings(settings_list):
    """The fields of :class:`~ffn.settings.TrainSettings` whose values are not all equal
    across ``settings_list``, in the dataclass's order."""
    if not settings_list:
        return []
    return [f for f in FIELDS if len({repr(getattr(s, f)) for s in settings_list}) > 1]


def iterations_to(history, threshold=0.9, series="valid_acc"):
    """The first evaluated iteration at which ``history[series]`` reached ``threshold``, or None."""
    for it, acc in zip(history.get("eval_iteration", []), history.get(series, [])):
        if acc >= threshold:
            return int(it)
    return None


AXES = ("iteration", "epochs", "images")  # what belongs to a run: never a clock's time


def x_values(iterations, settings, axis="iteration"):
    """``iterations`` of a run with ``settings`` on the chosen axis: themselves, the epochs
    they make (from the run's training set and batch), or the images seen by then."""
    if axis not in AXES:
        raise ValueError(f"axis must be one of {AXES}, got {axis!r}")
    it = np.asarray(iterations, dtype=np.float64)
    _iters, batch, n_train, _epochs = run_length(settings)
    if axis == "images":
        return it * batch
    if axis == "epochs":
        return it / iters_per_epoch(n_train, settings.batch_size)
    return it


def accuracy_series(settings_list):
    """The accuracy runs are compared on: ``valid_acc`` when every run holds a validation set,
    else ``train_acc`` (a run with ``valid_ratio`` 0 has no validation curve)."""
    return "valid_acc" if all(s.valid_ratio > 0 for s in settings_list) else "train_acc"
