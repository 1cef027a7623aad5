"""Runs side by side: what differs between their settings, and their curves on a shared axis."""
import dataclasses

import numpy as np

from .settings import TrainSettings

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


def seconds_at(history, iterations):
    """The run's training time at each of ``iterations``, interpolated between its
    gradient-health points (``health_iteration``, ``health_seconds``: at least 100 a run)."""
    known_it = np.asarray(history.get("health_iteration", []), dtype=np.float64)
    known_s = np.asarray(history.get("health_seconds", []), dtype=np.float64)
    iterations = np.asarray(iterations, dtype=np.float64)
    if len(known_it) == 0:
        return np.full(iterations.shape, np.nan)
    return np.interp(iterations, np.concatenate([[0.0], known_it]), np.concatenate([[0.0], known_s]))


AXES = ("iteration", "images", "seconds")


def x_values(history, iterations, batch_size, axis="iteration"):
    """``iterations`` of a run on the chosen axis: themselves, the images seen by then
    (``iteration * batch_size``), or the run's training seconds by then (:func:`seconds_at`)."""
    if axis not in AXES:
        raise ValueError(f"axis must be one of {AXES}, got {axis!r}")
    it = np.asarray(iterations, dtype=np.float64)
    if axis == "images":
        return it * batch_size
    if axis == "seconds":
        return seconds_at(history, it)
    return it


def accuracy_series(settings_list):
    """The accuracy runs are compared on: ``valid_acc`` when every run holds a validation set,
    else ``train_acc`` (a run with ``valid_ratio`` 0 has no validation curve)."""
    return "valid_acc" if all(s.valid_ratio > 0 for s in settings_list) else "train_acc"
