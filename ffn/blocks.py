"""A network's layers as named blocks: building them, running them forward and backward,
and the residual block, which is itself a short list of layers run the same way.

Hidden layer ``i`` of a :class:`ffn.MultiLayerNet` is, in forward order::

    Affine{i} -> [BatchNorm{i} | LayerNorm{i}] -> Relu{i} (or Sigmoid{i}, Tanh{i}) -> [Dropout{i}]

and, with residual connections, that block wrapped as ``Residual{i}``: ``x + F(x)``.
The last layer is ``Affine{L}``: the scores.
"""
from collections import OrderedDict

import numpy as np

from .architecture import ACTIVATIONS, residual_layers
from .layers import Affine
from .tricks import BatchNormalization, Dropout, LayerNormalization

NORM_LAYERS = {"batch": ("BatchNorm", BatchNormalization), "layer": ("LayerNorm", LayerNormalization)}
# the layers that act differently when training
_TRAIN_FLG = (BatchNormalization, LayerNormalization, Dropout)


def forward_layers(items, x, keep=False, scratch=None, train_flg=None, outputs=None):
    """Run ``(name, layer)`` pairs forward in order.

    Parameters
    ----------
    items : iterable of (str, layer)
    x : ndarray of shape (N, D)
    keep : bool
        Whether the layers keep what ``backward`` needs (training); False writes nothing.
    scratch : callable or None
        A trainer's ``workspace.scratch``: a layer's name -> its :class:`~ffn.workspace.Scratch`.
    train_flg : bool or None
        Training behaviour (batch statistics, dropout) or inference; None follows ``keep``.
    outputs : list, optional
        Each layer's ``(name, output)`` is appended to it, a residual block's inner layers too.
    """
    for name, layer in items:
        if isinstance(layer, Residual):
            x = layer.forward(x, keep=keep, scratch=scratch, train_flg=train_flg, outputs=outputs)
        elif isinstance(layer, _TRAIN_FLG):
            x = layer.forward(x, keep=keep, scratch=_scratch(scratch, name), train_flg=train_flg)
        else:
            x = layer.forward(x, keep=keep, scratch=_scratch(scratch, name))
        if outputs is not None:
            outputs.append((name, x))
    return x


def backward_layers(items, dout, scratch=None):
    """Run ``(name, layer)`` pairs backward, last first: ``dout`` in, ``dx`` out."""
    for name, layer in reversed(list(items)):
        layer_scratch = scratch if isinstance(layer, Residual) else _scratch(scratch, name)
        dout = layer.backward(dout, scratch=layer_scratch)
    return dout


def _scratch(scratch, name):
    return None if scratch is None else scratch(name)


class Residual:
    """A skip connection around a block of layers ``F``: ``out = x + F(x)``.

    Parameters
    ----------
    layers : dict of layers, or list of layers
        The block, e.g. ``{'Affine2': Affine(W, b), 'Relu2': Relu()}``, in forward order
        (a list is named by position); its output must have the shape of its input.

    Its backward adds the two paths the gradient takes back to ``x``: straight through
    the skip (``dout`` itself) and back through the block (``F.backward(dout)``). That
    sum is the whole point: even when the block's gradient is tiny, ``dout`` reaches the
    layers below unchanged, so a deep network keeps learning.

    ``scratch`` is a lookup from the block's layer names to their arrays (a trainer's
    ``workspace.scratch``), since the block holds several layers.
    """

    def __init__(self, layers):
        self.layers = OrderedDict(layers if isinstance(layers, dict) else
                                  ((f"{type(layer).__name__}{k}", layer) for k, layer in enumerate(layers)))

    def forward(self, x, keep=True, scratch=None, train_flg=None, outputs=None):
        """x : (N, D) -> x + F(x) : (N, D); the block's layers run as :func:`forward_layers` runs them."""
        out = forward_layers(self.layers.items(), x, keep, scratch, train_flg, outputs)
        if out.shape != x.shape:
            raise ValueError(f"a residual block must keep its input's shape: "
                             f"got {x.shape} in, {out.shape} out")
        return x + out

    def backward(self, dout, scratch=None):
        """dout : (N, D) -> dx : (N, D), the sum of the skip's path (``dout``) and the block's."""
        return dout + backward_layers(self.layers.items(), dout, scratch)  # the skip's path plus the block's


def build_layers(params, stats, cfg, rng):
    """The layers of a network with configuration ``cfg`` (see :data:`ffn.architecture.CONFIG_KEYS`).

    Parameters
    ----------
    params : dict of ndarray
        ``W1``, ``b1``, ``gamma1``, ...: held by reference by the layers.
    stats : dict of ndarray
        ``running_mean1``, ``running_var1``, ... (batch normalisation only), by reference too.
    cfg : dict
    rng : numpy.random.Generator
        Draws the dropout masks.

    Returns
    -------
    OrderedDict
        Name -> layer in forward order; a residual block holds its layers (see the module's docstring).
    """
    n_affine = len(cfg["hidden_size_list"]) + 1
    skips = set(residual_layers(cfg["hidden_size_list"])) if cfg["residual"] else set()
    act_name = cfg["activation"].capitalize()
    layers = OrderedDict()
    for i in range(1, n_affine + 1):
        block = OrderedDict()
        block[f"Affine{i}"] = Affine(params[f"W{i}"], params[f"b{i}"], input_grad=i > 1)
        if i < n_affine:
            if cfg["normalization"] != "none":
                name, Norm = NORM_LAYERS[cfg["normalization"]]
                extra = {} if Norm is LayerNormalization else {
                    "running_mean": stats[f"running_mean{i}"], "running_var": stats[f"running_var{i}"]}
                block[f"{name}{i}"] = Norm(params[f"gamma{i}"], params[f"beta{i}"], **extra)
            block[f"{act_name}{i}"] = ACTIVATIONS[cfg["activation"]]()
            if cfg["dropout_ratio"] > 0:
                block[f"Dropout{i}"] = Dropout(cfg["dropout_ratio"], rng=rng)
        if i in skips:
            layers[f"Residual{i}"] = Residual(block)
        else:
            layers.update(block)
    return layers


def grad_sources(params, normalization):
    """Where each parameter's gradient is after backward, by layer name and attribute:
    ``{'W1': ('Affine1', 'dW'), 'b1': ('Affine1', 'db'), 'gamma1': ('BatchNorm1', 'dgamma'), ...}``."""
    sources = {}
    for key in params:
        name, i = key.rstrip("0123456789"), key[len(key.rstrip("0123456789")):]
        layer = "Affine" if name in ("W", "b") else NORM_LAYERS[normalization][0]
        sources[key] = (f"{layer}{i}", "d" + name)
    return sources


def named_layers(layers):
    """Every layer by name, a residual block's inner ones included, in forward order."""
    flat = OrderedDict()
    for name, layer in layers.items():
        if isinstance(layer, Residual):
            flat.update(named_layers(layer.layers))
        flat[name] = layer
    return flat


def fresh_layers(layers):
    """Copies of ``layers`` that share their parameters and running statistics but nothing
    else: what one caller's forward and backward keep goes into its own copies, so any
    number of sessions may run them at once on one shared network (in inference mode,
    which writes nothing into the shared arrays)."""
    return OrderedDict((name, _fresh(layer)) for name, layer in layers.items())


def _fresh(layer):
    if isinstance(layer, Residual):
        return Residual(fresh_layers(layer.layers))
    if isinstance(layer, Affine):
        return Affine(layer.W, layer.b)
    if isinstance(layer, BatchNormalization):
        return BatchNormalization(layer.gamma, layer.beta, layer.momentum, layer.running_mean,
                                  layer.running_var, layer.eps)
    if isinstance(layer, LayerNormalization):
        return LayerNormalization(layer.gamma, layer.beta, layer.eps)
    if isinstance(layer, Dropout):
        return Dropout(layer.ratio, rng=np.random.default_rng(0))  # never draws: inference only
    return type(layer)()
