"""The article's gradient check: backpropagation against numerical gradients, array by array.

Backprop is fast and easy to get wrong; central differences are slow and hard to get
wrong. On a float64 copy of a network and a small batch, :func:`gradient_check` computes
both and gives, for each parameter array, their relative error
``||numerical - backprop|| / (||numerical|| + ||backprop||)``. Below ``THRESHOLD`` (1e-7)
the two agree to about seven digits: the hand-written ``backward`` is right. A wrong
one gives errors near 1.

A large array (the first layer of a 512-unit network has 401,408 weights) is checked at
a random sample of its entries: each costs two forward passes.
"""
import numpy as np

from .gradient import numerical_gradient_at, relative_error
from .network import MultiLayerNet

THRESHOLD = 1e-7
ENTRIES = 100    # entries checked in each parameter array, at most
BATCH = 8        # images in the batch the loss is measured on


def float64_copy(net):
    """A float64 network with ``net``'s configuration and weights (``net`` is only read)."""
    return MultiLayerNet(**net.config(), dtype=np.float64,
                         params={k: v.astype(np.float64) for k, v in net.params.items()})


def gradient_check(net, x, t, entries=ENTRIES, seed=0, h=1e-4):
    """Check ``net``'s backprop on the batch ``x`` (N, D), ``t`` (N,) or (N, C).

    Parameters
    ----------
    net : MultiLayerNet
        Only read: the check runs on :func:`float64_copy`.
    entries : int
        Entries sampled in each parameter array (all of them in a smaller one).
    seed : int
        Chooses the sampled entries.
    h : float
        The central differences' step.

    Returns
    -------
    list of dict
        One per parameter array, in the network's order: ``param`` ('W1', 'b1', ...),
        ``shape``, ``checked`` and ``size`` (entries compared, entries in all),
        ``relative_error`` and ``ok`` (below :data:`THRESHOLD`).
    """
    if isinstance(entries, bool) or not isinstance(entries, (int, np.integer)) or entries < 1:
        raise ValueError(f"entries must be a positive integer, got {entries!r}")
    copy = float64_copy(net)
    x = np.asarray(x, dtype=np.float64)
    backprop = copy.gradient(x, t)  # the loss's forward passes below leave these arrays alone
    rng = np.random.default_rng(seed)
    rows = []
    for key, p in copy.params.items():
        idx = np.arange(p.size) if p.size <= entries else np.sort(rng.choice(p.size, entries, replace=False))
        numerical = numerical_gradient_at(lambda: copy.loss(x, t), p, idx, h)
        err = relative_error(numerical, backprop[key].reshape(-1)[idx])
        rows.append({"param": key, "shape": tuple(p.shape), "checked": int(len(idx)), "size": int(p.size),
                     "relative_error": err, "ok": err < THRESHOLD})
    return rows
