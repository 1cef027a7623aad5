"""What a lesson's step may check before it moves the student on, from a fixed list.

A lesson file names a check and its values (``kind = "loss_below"``, ``value = 0.5``); the
page gives :func:`met` what it has seen (:class:`Seen`): the run's state and figures, the
digit the last drawing was read as, the tab and view open. A check that cannot be met (a
run that stalled where the lesson hoped it would learn) never holds the student: the
page always offers a way on.
"""
from dataclasses import dataclass, field

import numpy as np

SERIES = ("train", "valid", "test")
DIGITS = tuple(range(10))
RECENT = 50  # the iterations the loss is averaged over

# kind -> {value's name: (its type, the values allowed or None)}
CHECKS = {
    "run_finished": {},                                   # a run ended with its figures (finished or stopped)
    "diverged": {},                                       # a run blew up (NaN or a huge loss)
    "stalled": {},                                        # a run's loss stayed near ln 10, guessing
    "loss_below": {"value": (float, None)},               # the recent loss went below value
    "loss_above": {"value": (float, None)},               # a run ended with its recent loss above value
    "accuracy_above": {"value": (float, None), "series": (str, SERIES)},  # final accuracy (0-1) >= value
    "gap_above": {"value": (float, None)},                # final train minus valid accuracy >= value points
    "gap_below": {"value": (float, None)},                # ... below value points
    "read_as": {"digit": (int, DIGITS)},                  # a drawing was read as this digit
    "tab_open": {"tab": (str, ("train", "draw", "evaluate"))},
    "view_open": {"view": (str, ("prediction", "inside", "why"))},
    "stepped": {},                                        # Step trained one iteration
}


@dataclass(frozen=True)
class Check:
    kind: str
    values: dict = field(default_factory=dict)


@dataclass
class Seen:
    """What the page has seen, for :func:`met`. ``outcome``: the run's ``(code, values)`` once
    over; ``final``: its accuracies on the full sets; ``loss``: its per-iteration losses;
    ``advice``: a stall's ``(code, values)``; ``read_as``: the digit the last drawing was read
    as; ``stepped``: a Step's iteration came back."""
    outcome: tuple = None
    final: dict = None
    loss: object = ()
    advice: tuple = None
    read_as: int = None
    tab: str = None
    view: str = None
    stepped: bool = False


def recent_loss(loss):
    """The mean of the last RECENT losses, or None before any."""
    loss = np.asarray(loss, dtype=np.float64)
    return float(np.mean(loss[-RECENT:])) if loss.size else None


def gap(final):
    """Training minus validation accuracy at the end, in points, or None."""
    if not final or "train" not in final or "valid" not in final:
        return None
    return 100.0 * (final["train"] - final["valid"])


def met(check, seen):
    """Whether ``check`` (a :class:`Check`) holds for ``seen`` (a :class:`Seen`)."""
    v = check.values
    code = seen.outcome[0] if seen.outcome else None
    ended = code in ("finished", "stopped") and bool(seen.final)
    kind = check.kind
    if kind == "run_finished":
        return ended
    if kind == "diverged":
        return code == "diverged"
    if kind == "stalled":
        return (seen.advice is not None and str(seen.advice[0]).startswith("stalled")) or (
            ended and recent_loss(seen.loss) is not None and recent_loss(seen.loss) > 2.0)
    if kind == "loss_below":
        loss = recent_loss(seen.loss)
        return loss is not None and loss < v["value"]
    if kind == "loss_above":
        loss = recent_loss(seen.loss)
        return ended and loss is not None and loss > v["value"]
    if kind == "accuracy_above":
        return ended and seen.final.get(v["series"], -1.0) >= v["value"]
    if kind in ("gap_above", "gap_below"):
        g = gap(seen.final) if ended else None
        return g is not None and (g >= v["value"] if kind == "gap_above" else g < v["value"])
    if kind == "read_as":
        return seen.read_as == v["digit"]
    if kind == "tab_open":
        return seen.tab == v["tab"]
    if kind == "view_open":
        return seen.view == v["view"]
    if kind == "stepped":
        return seen.stepped
    raise ValueError(f"unknown check {kind!r}")
