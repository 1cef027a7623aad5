"""The whole network for one drawing, as the diagram draws it: a column of units per layer,
the units shown of each large layer, and the strongest connections into them.

The rule, stated once: a hidden layer shows its ``shown`` units of the largest activation
(Tanh: of the largest magnitude), the most active first; the output layer shows its ten.
Into each unit shown, the ``edges`` largest contributions ``a_i * W_ij`` by magnitude, from
the units shown of the layer before (from every pixel, for the first layer). Everything
goes through :func:`ffn.inside.layer_outputs`: the network is only read.
"""
import numpy as np

from .functions import softmax
from .inside import hidden_outputs, layer_outputs

SHOWN, EDGES = 20, 6   # units shown of a large layer; connections drawn into each unit shown


def shown_units(a, k, activation="relu"):
    """The indices of the ``k`` units of activations ``a`` shown, the most active first (ties by
    index); all of them, in order, when there are no more than ``k``."""
    a = np.asarray(a, dtype=np.float64)
    if len(a) <= k:
        return np.arange(len(a))
    key = np.abs(a) if activation == "tanh" else a
    return np.lexsort((np.arange(len(a)), -key))[:k]


def strongest_edges(a_from, W, sources, targets, k):
    """The connections drawn into each of ``targets`` (units of the next layer): the ``k`` of
    largest ``|a_i * W_ij|`` among ``sources``. Returns (i, j, a_i * W_ij) rows, float64."""
    a_from, W = np.asarray(a_from, np.float64), np.asarray(W, np.float64)
    rows = []
    for j in targets:
        c = a_from[sources] * W[sources, j]
        top = np.lexsort((np.asarray(sources), -np.abs(c)))[:k]
        rows += [(int(sources[t]), int(j), float(c[t])) for t in top if c[t] != 0]
    return np.array(rows, dtype=np.float64).reshape(-1, 3)


def forward(net, x, shown=SHOWN, edges=EDGES):
    """What the diagram draws for drawing ``x`` (784,).

    Returns
    -------
    dict
        ``input`` (784,), ``columns``: one dict a layer after the input (each hidden layer,
        then the scores) with ``values`` (every unit's output: what it passes on, or for
        the last layer the softmax probabilities), ``units`` (the indices shown) and
        ``hidden`` (how many are not); ``edges``: one (i, j, contribution) array into each
        column; ``digit``, the prediction.
    """
    x = np.asarray(x, dtype=np.float64).reshape(-1)
    outputs = layer_outputs(net, x)
    hidden = [np.asarray(a, np.float64) for _name, a in hidden_outputs(outputs)]
    proba = softmax(np.asarray(outputs[-1][1], np.float64)[None, :])[0]
    values = hidden + [proba]
    columns, links = [], []
    before, before_units = x, np.flatnonzero(x)  # pixels with ink: a blank one adds nothing
    for layer, a in enumerate(values, 1):
        units = shown_units(a, shown, net.activation) if layer <= len(hidden) else np.arange(len(a))
        columns.append({"values": a, "units": units, "hidden": len(a) - len(units)})
        links.append(strongest_edges(before, net.params[f"W{layer}"], before_units, units, edges))
        before, before_units = a, units
    return {"input": x, "columns": columns, "edges": links, "digit": int(np.argmax(proba))}


def waiting(net, shown=SHOWN):
    """The diagram before a drawing: every column's first units, at 0, no connection, no digit."""
    sizes = [net.params[f"W{i}"].shape[1] for i in range(1, net.n_affine + 1)]
    columns = [{"values": np.zeros(n), "units": np.arange(min(n, shown) if i < len(sizes) else n),
                "hidden": max(0, n - shown) if i < len(sizes) else 0} for i, n in enumerate(sizes, 1)]
    return {"input": np.zeros(net.input_size), "columns": columns, "edges": [np.zeros((0, 3))] * len(sizes),
            "digit": None}


def backward(unit_grads, error, dW_norms, deltas, shown=SHOWN, edges=EDGES):
    """What the diagram draws for one training step's backward pass.

    Parameters
    ----------
    unit_grads : list of ndarray
        For each Affine layer, first to last, each unit's gradient: the norm of its column of
        ``dW`` (the gradient of the weights into it) on the step's batch, as backpropagated
        (without weight decay's own term, which does not flow back).
    error : ndarray of shape (output_size,)
        The error at the outputs for the batch's first image: its softmax ``y`` minus its
        one-hot label ``t`` (the article's Softmax-with-loss figure).
    dW_norms : list of float
        Each layer's ``||dW||``, as backpropagated.
    deltas : list of ndarray
        Each layer's change ``W after - W before`` in the step.

    Returns
    -------
    dict
        ``columns`` as :func:`forward`'s (``values``: the hidden units' gradients, the outputs'
        error), shown by the largest gradient; ``edges``: into each column shown, the ``edges``
        weights the step changed most (i, j, change), from the units shown before it (every
        pixel, for the first layer); ``norms``: ``dW_norms``.
    """
    columns, links = [], []
    before = np.arange(np.asarray(deltas[0]).shape[0])  # every pixel (a weight moves where the batch had ink)
    for layer, (g, D) in enumerate(zip(unit_grads, deltas), 1):
        last = layer == len(unit_grads)
        g = np.asarray(g, dtype=np.float64)
        units = np.arange(len(g)) if last else shown_units(g, shown)
        columns.append({"values": np.asarray(error, np.float64) if last else g, "grad": g, "units": units,
                        "hidden": len(g) - len(units)})
        links.append(strongest_edges(np.ones(np.asarray(D).shape[0]), D, before, units, edges))
        before = units
    return {"columns": columns, "edges": links, "norms": [float(n) for n in dW_norms]}
