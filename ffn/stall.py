"""A run that still guesses: after ``STALL_AFTER`` iterations its loss is near ln(classes),
the loss of a uniform guess. The trainer reports why as advice, a code and numbers.
"""
import math

import numpy as np

STALL_AFTER = 500    # iterations before a run that still guesses is called stalled
STALL_MARGIN = 0.25  # within this of the guessing loss, log(classes), is still guessing


def stall_advice(net, history, iteration):
    """``(code, values)`` while the run at ``iteration`` is stalled, else None.

    ``code`` is ``stalled``, ``stalled_scaled`` when the initial weights were already
    scaled to the layers, or ``stalled_deep`` when tiny weights go through more than two
    hidden layers without normalisation. ``values`` hold ``loss`` (the mean of the last
    100), ``iteration``, ``classes``, ``guess_loss`` and ``grad1``, layer 1's latest
    gradient norm from ``history['grad_norm']``.
    """
    if iteration < STALL_AFTER:
        return None
    classes = net.output_size
    recent = float(np.mean(history["loss"][-100:]))
    if recent <= math.log(classes) - STALL_MARGIN:
        return None
    grad1 = (history["grad_norm"] or [[math.nan]])[-1][0]
    deep = len(net.hidden_size_list) > 2 and net.normalization == "none"
    if net.weight_init != "std":
        code = "stalled_scaled"
    elif deep:
        code = "stalled_deep"
    else:
        code = "stalled"
    return code, {"loss": recent, "iteration": iteration, "classes": classes,
                  "guess_loss": math.log(classes), "grad1": grad1}
