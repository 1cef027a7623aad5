"""A run that guesses: after ``STALL_AFTER`` iterations its loss is still near ln(classes),
the loss of a uniform guess. The trainer reports it, and why, as advice: a code and numbers.

The loss is read smoothed: the mean of the ``WINDOW`` losses up to an iteration. It is
*near guessing* from ``LEARNING`` below ln(classes) to ``ABOVE`` over it. A run near
guessing at ``STALL_AFTER`` stalled; it is still stalled while its smoothed loss stays
near guessing. Once the smoothed loss is ``LEARNING`` below ln(classes) (far past the
noise of a plateau, even with batches of one image), the run has clearly begun to learn,
and it *began* at the first iteration after which its smoothed loss stayed ``BEGAN``
below ln(classes): the large margin says that it learns, the small one dates it.
"""
import bisect
import math

import numpy as np

STALL_AFTER = 500  # iterations before a run that still guesses is called stalled
WINDOW = 100       # the smoothed loss at an iteration: the mean of the last WINDOW losses
LEARNING = 0.05    # a smoothed loss this far below log(classes) is learning
BEGAN = 0.01       # it began to learn where its smoothed loss last came within this of log(classes)
ABOVE = 0.25       # a smoothed loss up to this far over log(classes) is still near it


def smoothed_loss(losses):
    """The mean of the last ``WINDOW`` values up to each entry of ``losses`` (fewer at the
    start): an array of the same length."""
    v = np.asarray(losses, dtype=np.float64)
    total = np.concatenate([[0.0], np.cumsum(v)])
    end = np.arange(1, len(v) + 1)
    start = np.maximum(end - WINDOW, 0)
    return (total[end] - total[start]) / (end - start)


def began_to_learn(history, guess_loss):
    """The first iteration after which the smoothed loss stayed ``BEGAN`` below
    ``guess_loss``, at ``STALL_AFTER`` at the earliest. Looks at the losses from
    ``STALL_AFTER - WINDOW`` on, so a long run costs one pass over its history."""
    skip = STALL_AFTER - WINDOW
    near = np.flatnonzero(smoothed_loss(history["loss"][skip:])[WINDOW - 1:] >= guess_loss - BEGAN)
    last_near = STALL_AFTER + (int(near[-1]) if near.size else -1)  # an iteration, counted from 1
    return last_near + 1


def _grad1_while_stalled(history, began):
    """Layer 1's median gradient norm over the health records from ``STALL_AFTER`` to ``began``;
    with none there (records are sparse in a long run), the last record before ``began``;
    NaN with none at all (the note then leaves the gradient out)."""
    its = history.get("health_iteration", [])
    lo, hi = bisect.bisect_left(its, STALL_AFTER), bisect.bisect_right(its, began)
    if hi > lo:
        return float(np.median([row[0] for row in history["grad_norm"][lo:hi]]))
    return float(history["grad_norm"][hi - 1][0]) if hi > 0 else math.nan


def stall_advice(net, history, iteration):
    """``(code, values)`` for a run at ``iteration`` that stalled, else None.

    ``code`` is ``stalled`` while its loss is near guessing, ``stall_ended`` once it has
    clearly begun to learn after a stall; with ``_scaled`` when the initial weights were
    already scaled to the layers, or ``_deep`` when tiny weights go through more than two
    hidden layers without normalisation. ``values`` hold ``loss`` (the smoothed loss),
    ``iteration``, ``classes``, ``guess_loss`` and ``grad1``, layer 1's gradient norm:
    the latest while stalled; after a stall, its median from ``STALL_AFTER`` until the
    run began to learn, at iteration ``began`` (:func:`began_to_learn`).
    """
    if iteration < STALL_AFTER or len(history["loss"]) < STALL_AFTER:
        return None
    classes = net.output_size
    guess = math.log(classes)
    near = (guess - LEARNING, guess + ABOVE)
    recent = float(np.mean(history["loss"][-WINDOW:]))
    at_stall = float(np.mean(history["loss"][STALL_AFTER - WINDOW:STALL_AFTER]))  # when it was called
    values = {"loss": recent, "iteration": iteration, "classes": classes, "guess_loss": guess}
    if near[0] <= recent <= near[1]:
        state = "stalled"
        values["grad1"] = (history["grad_norm"] or [[math.nan]])[-1][0]
    elif recent < near[0] and near[0] <= at_stall <= near[1]:
        state = "stall_ended"
        values["began"] = began_to_learn(history, guess)
        values["grad1"] = _grad1_while_stalled(history, values["began"])
    else:
        return None
    if net.weight_init != "std":
        return state + "_scaled", values
    if len(net.hidden_size_list) > 2 and net.normalization == "none":
        return state + "_deep", values
    return state, values
