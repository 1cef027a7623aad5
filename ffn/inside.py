"""Inside the network: what each layer does with one drawing, and why it chose its digit.

Everything here goes through the network's own layers: :meth:`MultiLayerNet.predict`
for the forward pass, :meth:`MultiLayerNet.input_gradient` for backward. Both leave the
network untouched, so any number of sessions may explain their drawings with one shared
network at once.
"""
import numpy as np

from .functions import softmax

__all__ = ["layer_outputs", "saliency", "unit_arithmetic", "score_contributions"]


def _one(net, x):
    x = np.asarray(x)
    if x.ndim == 2 and x.shape[0] != 1:
        raise ValueError(f"explain one drawing at a time: x must have shape ({net.input_size},) or "
                         f"(1, {net.input_size}), got {x.shape}")
    return net._check_x(x)


def layer_outputs(net, x):
    """Each layer's output for one drawing, in forward order.

    Parameters
    ----------
    net : MultiLayerNet
    x : ndarray of shape (input_size,) or (1, input_size)

    Returns
    -------
    list of (str, ndarray of shape (units,))
        ``('Affine1', z1), ('Relu1', a1), ..., ('AffineL', scores)``: the weighted sums
        of each layer, its activations, and last the scores (logits) softmax turns into
        probabilities.
    """
    outputs = []
    net.predict(_one(net, x), outputs=outputs)
    return [(name, out[0]) for name, out in outputs]


def hidden_outputs(outputs):
    """From :func:`layer_outputs`, what each hidden layer passes on: the output just before
    the next ``Affine``: the activation, or after dropout (nothing, at inference) or a
    residual block's sum (its input plus the activation) when the network has them.

    Returns
    -------
    list of (str, ndarray)
        One per hidden layer, in order.
    """
    names = [name for name, _ in outputs]
    return [outputs[at - 1] for at, name in enumerate(names) if name.startswith("Affine") and at > 0]


def saliency(net, x, target, versus=None):
    """How much each pixel would raise the score of ``target``: the gradient of that
    score with respect to the input, by backpropagation from a one-hot ``dout`` at the
    scores (backprop put to a second use: the same ``backward`` that trains the weights).

    With ``versus``, the gradient of ``score[target] - score[versus]``: which pixels make
    the network say ``target`` rather than ``versus`` ("why not a 7?").

    Parameters
    ----------
    net : MultiLayerNet
    x : ndarray of shape (input_size,) or (1, input_size)
    target, versus : int
        Classes, ``0 <= k < output_size``.

    Returns
    -------
    ndarray of shape (input_size,)
    """
    x = _one(net, x)
    dscores = np.zeros(net.output_size, dtype=net.dtype)
    dscores[_check_class(net, target)] = 1
    if versus is not None and versus != target:
        dscores[_check_class(net, versus)] = -1
    return net.input_gradient(x, dscores=dscores)[0]


def _check_class(net, k):
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 0 <= k < net.output_size:
        raise ValueError(f"a class must be an integer in [0, {net.output_size}), got {k!r}")
    return int(k)


def unit_arithmetic(net, x, layer, unit, top=5, outputs=None):
    """One unit's sum for one drawing, with its real numbers:
    ``z = sum_i W[i, unit] * x_i + b[unit]``, then the activation (ReLU, Sigmoid, Tanh),
    or, in the last layer, the unit's score.

    Parameters
    ----------
    net : MultiLayerNet
    x : ndarray of shape (input_size,) or (1, input_size)
    layer : int
        Which Affine layer, from 1 (the one that reads the pixels) to ``net.n_affine``
        (the one that gives the scores).
    unit : int
        The unit in that layer, ``0 <= unit < its size``.
    top : int
        How many of the largest terms ``W[i, unit] * x_i`` (by size) to name.
    outputs : list, optional
        ``layer_outputs(net, x)``, if the caller has it already.

    Returns
    -------
    dict
        ``inputs`` (D,): what the layer reads (the pixels, or the previous activations);
        ``weights`` (D,): the unit's incoming weights ``W[:, unit]``; ``terms`` (D,): their
        products; ``bias``; ``z``: the terms' sum plus the bias; ``steps``: the unit's
        value after each layer between this Affine and the next, as ``(layer name, value)``
        (``[('Relu1', a)]``, or ``[('BatchNorm1', n), ('Relu1', a)]``, ...; none in the last
        layer, and none for dropout, which does nothing at inference); ``activation``: the
        activation layer's name (None in the last layer); ``out``: what the unit passes on
        (``z`` itself in the last layer); ``top``: indices of the ``top`` largest terms by
        absolute value, largest first.
    """
    x = _one(net, x)
    if isinstance(layer, bool) or not isinstance(layer, (int, np.integer)) or not 1 <= layer <= net.n_affine:
        raise ValueError(f"layer must be an integer in [1, {net.n_affine}], got {layer!r}")
    W, b = net.params[f"W{layer}"], net.params[f"b{layer}"]
    if isinstance(unit, bool) or not isinstance(unit, (int, np.integer)) or not 0 <= unit < W.shape[1]:
        raise ValueError(f"unit must be an integer in [0, {W.shape[1]}) for layer {layer}, got {unit!r}")
    outputs = layer_outputs(net, x) if outputs is None else outputs
    names = [name for name, _ in outputs]
    at = names.index(f"Affine{layer}")
    inputs = x[0] if layer == 1 else outputs[at - 1][1]
    terms = W[:, unit] * inputs
    end = names.index(f"Affine{layer + 1}") if layer < net.n_affine else at + 1
    steps = [(name, out[unit]) for name, out in outputs[at + 1:end] if not name.startswith("Dropout")]
    activation = next((name for name, _ in steps if name.startswith(net.activation.capitalize())), None)
    return {"inputs": inputs, "weights": W[:, unit].copy(), "terms": terms, "bias": b[unit],
            "z": terms.sum(dtype=np.float64) + b[unit], "steps": steps, "activation": activation,
            "out": outputs[end - 1][1][unit], "top": np.argsort(-np.abs(terms))[:top]}


def score_contributions(net, x, target, outputs=None):
    """What each unit of the last hidden layer added to the score of ``target``:
    ``a_j * W[j, target]``, whose sum plus the bias is the score. ``outputs``:
    ``layer_outputs(net, x)``, if the caller has it already.

    Returns
    -------
    dict
        ``terms`` (H,): each unit's share; ``bias``; ``score``; ``up`` and ``down``: the
        indices of the five units that pushed the score up most and down most;
        ``proba`` (output_size,): the softmax of the scores.
    """
    outputs = layer_outputs(net, x) if outputs is None else outputs
    target = _check_class(net, target)
    hidden = outputs[-2][1]  # the last hidden layer's activations
    W = net.params[f"W{net.n_affine}"]
    terms = hidden * W[:, target]
    order = np.argsort(terms)
    return {"terms": terms, "bias": net.params[f"b{net.n_affine}"][target], "score": outputs[-1][1][target],
            "up": order[::-1][:5][terms[order[::-1][:5]] > 0], "down": order[:5][terms[order[:5]] < 0],
            "proba": softmax(outputs[-1][1])}
