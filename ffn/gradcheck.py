"""The article's gradient check: backpropagation against numerical gradients, array by array.

Backprop is fast and easy to get wrong; central differences are slow and hard to get
wrong. On a float64 copy of a network and a small batch, :func:`gradient_check` computes
both and gives, for each parameter array, their relative error
``||numerical - backprop|| / (||numerical|| + ||backprop||)``. Below ``THRESHOLD`` (1e-7)
the two agree to about seven digits: the hand-written ``backward`` is right. A wrong
one gives errors near 1.

Batch normalisation is checked as it trains, on the batch's own statistics, and dropout
with one fixed mask per layer.

A large array (the first layer of a 512-unit network has 401,408 weights) is checked at
a random sample of its entries: each costs two forward passes.
"""
import numpy as np

from .gradient import numerical_gradient_at, relative_error
from .network import MultiLayerNet
from .tricks import Dropout

THRESHOLD = 1e-7
ATOL = 1e-9      # differences below this are under what central differences resolve: too small to check
ENTRIES = 100    # entries checked in each parameter array, at most
BATCH = 8        # images in the batch the loss is measured on


def float64_copy(net):
    """A float64 network with ``net``'s configuration, weights and running statistics (``net``
    is only read)."""
    return MultiLayerNet(**net.config(), dtype=np.float64,
                         params={k: v.astype(np.float64) for k, v in net.params.items()},
                         stats={k: v.astype(np.float64) for k, v in net.stats.items()})


def fix_dropout(net, n, rng):
    """Give each of ``net``'s Dropout layers a fixed mask for a batch of ``n`` rows, drawn
    from ``rng``: the loss is then a function of the weights alone, as a check needs."""
    for name, layer in net.named_layers().items():
        if isinstance(layer, Dropout):
            units = net.hidden_size_list[int(name[len("Dropout"):]) - 1]
            layer.fixed_mask = rng.random((n, units)) >= layer.ratio


def gradient_check(net, x, t, entries=ENTRIES, seed=0, h=1e-5):
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
        The central differences' step: a tenth of the article's 1e-4. Batch normalisation
        centres each unit on 0, where ReLU bends, and a step that crosses the bend spoils
        the difference; float64 affords the smaller step.

    Returns
    -------
    list of dict
        One per parameter array, in the network's order: ``param`` ('W1', 'b1', ...),
        ``shape``, ``checked`` and ``size`` (entries compared, entries in all),
        ``relative_error``, ``max_difference`` (the largest ``|numerical - backprop|``),
        ``ok`` (the relative error is below :data:`THRESHOLD`: backprop is right) and
        ``tiny`` (not ok, but every difference is below :data:`ATOL`: too small to check).
        Central differences in float64 with ``h = 1e-5`` carry a rounding noise of about
        1e-10 per entry, so a gradient that small has no reliable relative error, and the
        check can say neither right nor wrong: a bias just before batch normalisation
        (whose gradient is 0, since the batch's mean takes any shift away), or a layer
        deep in a stalled network that the gradient hardly reaches. A row neither ok nor
        tiny is a disagreement.
    """
    if isinstance(entries, bool) or not isinstance(entries, (int, np.integer)) or entries < 1:
        raise ValueError(f"entries must be a positive integer, got {entries!r}")
    copy = float64_copy(net)
    x = np.asarray(x, dtype=np.float64)
    rng = np.random.default_rng(seed)
    fix_dropout(copy, len(x), rng)
    backprop = copy.gradient(x, t)  # the loss's forward passes below leave these arrays alone
    rows = []
    for key, p in copy.params.items():
        idx = np.arange(p.size) if p.size <= entries else np.sort(rng.choice(p.size, entries, replace=False))
        numerical = numerical_gradient_at(lambda: copy.loss(x, t), p, idx, h)
        analytic = backprop[key].reshape(-1)[idx]
        err, diff = relative_error(numerical, analytic), float(np.abs(numerical - analytic).max())
        rows.append({"param": key, "shape": tuple(p.shape), "checked": int(len(idx)), "size": int(p.size),
                     "relative_error": err, "max_difference": diff, "ok": err < THRESHOLD,
                     "tiny": err >= THRESHOLD and diff < ATOL})
    return rows
