"""The tricks of the article's last paragraph, as layers with the same contract as the
others (:mod:`ffn.layers`): ``forward`` keeps what ``backward`` needs, ``backward``
returns ``dx``, sets the layer's parameter gradients, and never modifies ``dout``.

- :class:`BatchNormalization` normalises each unit over the batch, then scales and
  shifts it by learnt ``gamma`` and ``beta``; at inference it uses running statistics.
- :class:`LayerNormalization` normalises each sample over its units: the same maths at
  training and at inference.
- :class:`Dropout` drops units at random while training (inverted dropout: the kept
  ones are scaled by 1 / (1 - ratio)), and does nothing at inference.
- :class:`Residual` adds a block's input to its output, ``x + F(x)``.

``train_flg`` chooses training or inference; left out, it follows ``keep`` (inference,
``keep=False``, writes nothing into the layer: a network shared between sessions stays
read-only).
"""
import numpy as np

from .workspace import new_array


class BatchNormalization:
    """``out = gamma * (x - mean) / sqrt(var + eps) + beta``, per unit.

    Parameters
    ----------
    gamma, beta : ndarray of shape (D,)
        Scale and shift, held by reference (an optimizer updates them in place).
    momentum : float
        Running statistics: ``running = momentum * running + (1 - momentum) * batch``.
    running_mean, running_var : ndarray of shape (D,), optional
        Held by reference too (a network saves them with its weights); default 0 and 1.
    """

    def __init__(self, gamma, beta, momentum=0.9, running_mean=None, running_var=None, eps=1e-5):
        self.gamma, self.beta, self.momentum, self.eps = gamma, beta, momentum, eps
        self.running_mean = np.zeros_like(gamma) if running_mean is None else running_mean
        self.running_var = np.ones_like(gamma) if running_var is None else running_var
        self.xc = self.std = self.xn = None
        self.dgamma = self.dbeta = None

    def forward(self, x, keep=True, scratch=None, train_flg=None):
        """x : (N, D) -> (N, D). Training: the batch's statistics (and the running ones move
        towards them); inference: the running statistics, and nothing is written."""
        if not (keep if train_flg is None else train_flg):
            return self.gamma * (x - self.running_mean) / np.sqrt(self.running_var + self.eps) + self.beta
        mu = x.mean(axis=0)
        xc = x - mu
        var = np.mean(xc ** 2, axis=0)
        std = np.sqrt(var + self.eps)
        xn = xc / std
        self.running_mean *= self.momentum
        self.running_mean += (1 - self.momentum) * mu
        self.running_var *= self.momentum
        self.running_var += (1 - self.momentum) * var
        if keep:
            self.xc, self.std, self.xn = xc, std, xn
        return self.gamma * xn + self.beta

    def backward(self, dout, scratch=None):
        """dout : (N, D) -> dx : (N, D); sets dgamma and dbeta (D,).

        The mean and the variance depend on every row of the batch, so each row's gradient
        gathers the others' through them: the two sums below.
        """
        n = dout.shape[0]
        self.dbeta, self.dgamma = _param_grads(self.xn, dout, self.gamma, scratch)
        dxn = self.gamma * dout
        dxc = dxn / self.std
        dstd = -np.sum(dxn * self.xc / (self.std * self.std), axis=0)
        dvar = 0.5 * dstd / self.std
        dxc = dxc + (2.0 / n) * self.xc * dvar
        dmu = np.sum(dxc, axis=0)
        return dxc - dmu / n


class LayerNormalization:
    """``out = gamma * (x - mean) / sqrt(var + eps) + beta``, the statistics of each row
    over its units: no batch, no running statistics, the same at training and inference."""

    def __init__(self, gamma, beta, eps=1e-5):
        self.gamma, self.beta, self.eps = gamma, beta, eps
        self.std = self.xn = None
        self.dgamma = self.dbeta = None

    def forward(self, x, keep=True, scratch=None, train_flg=None):
        """x : (N, D) -> (N, D)."""
        xc = x - x.mean(axis=1, keepdims=True)
        std = np.sqrt(np.mean(xc ** 2, axis=1, keepdims=True) + self.eps)
        xn = xc / std
        if keep:
            self.std, self.xn = std, xn
        return self.gamma * xn + self.beta

    def backward(self, dout, scratch=None):
        """dout : (N, D) -> dx : (N, D); sets dgamma and dbeta (D,)."""
        self.dbeta, self.dgamma = _param_grads(self.xn, dout, self.gamma, scratch)
        dxn = self.gamma * dout
        # each row's mean and spread depend on all its units: dx = (dxn - mean(dxn) - xn * mean(dxn * xn)) / std
        return (dxn - dxn.mean(axis=1, keepdims=True)
                - self.xn * np.mean(dxn * self.xn, axis=1, keepdims=True)) / self.std


class Dropout:
    """Inverted dropout: while training each unit is kept with probability ``1 - ratio``
    and scaled by ``1 / (1 - ratio)``, so the expected output is the input; at inference
    the output is the input.

    Parameters
    ----------
    ratio : float in [0, 1)
    rng : numpy.random.Generator
        Draws the masks: a seeded generator makes a run reproducible.
    """

    def __init__(self, ratio=0.5, rng=None):
        if isinstance(ratio, bool) or not isinstance(ratio, (int, float)) or not 0 <= ratio < 1:
            raise ValueError(f"ratio must be in [0, 1), got {ratio!r}")
        self.ratio, self.rng = float(ratio), rng if rng is not None else np.random.default_rng(0)
        self.mask = None
        self.fixed_mask = None  # set (a gradient check), it is used instead of a random one

    def forward(self, x, keep=True, scratch=None, train_flg=None):
        if not (keep if train_flg is None else train_flg) or self.ratio == 0:
            return x
        mask = self.fixed_mask if self.fixed_mask is not None else self.rng.random(x.shape) >= self.ratio
        scale = np.asarray(1.0 / (1.0 - self.ratio), dtype=x.dtype)
        if keep:
            self.mask = mask
        return x * mask * scale

    def backward(self, dout, scratch=None):
        if self.ratio == 0:
            return dout
        return dout * self.mask * np.asarray(1.0 / (1.0 - self.ratio), dtype=dout.dtype)


class Residual:
    """A skip connection around a block of layers ``F``: ``out = x + F(x)``.

    Parameters
    ----------
    layers : list
        The block, e.g. ``[Affine(W, b), Relu()]``; its output must have the shape of its input.

    Its backward adds the two paths the gradient takes back to ``x``: straight through
    the skip (``dout`` itself) and back through the block (``F.backward(dout)``). That
    sum is the whole point: even when the block's gradient is tiny, ``dout`` reaches the
    layers below unchanged, so a deep network keeps learning.
    """

    def __init__(self, layers):
        self.layers = list(layers)

    def forward(self, x, keep=True, scratch=None, train_flg=None):
        out = x
        for layer in self.layers:
            out = _forward(layer, out, keep, train_flg)
        if out.shape != x.shape:
            raise ValueError(f"a residual block must keep its input's shape: got {x.shape} in, {out.shape} out")
        return x + out

    def backward(self, dout, scratch=None):
        d = dout
        for layer in reversed(self.layers):
            d = layer.backward(d)
        return dout + d  # the skip's path plus the block's


def _param_grads(xn, dout, gamma, scratch):
    """``dbeta = sum(dout)`` and ``dgamma = sum(xn * dout)`` over the batch, written into the
    trainer's gradient vector when it passes a scratch (as Affine writes dW)."""
    dbeta = dout.sum(axis=0, out=new_array(scratch, "dbeta", gamma.shape, dout.dtype))
    dgamma = np.einsum("ij,ij->j", xn, dout, out=new_array(scratch, "dgamma", gamma.shape, dout.dtype))
    return dbeta, dgamma


def _forward(layer, x, keep, train_flg):
    """A layer's forward, passing ``train_flg`` only to the layers that take it."""
    if isinstance(layer, (BatchNormalization, LayerNormalization, Dropout, Residual)):
        return layer.forward(x, keep=keep, train_flg=train_flg)
    return layer.forward(x, keep=keep)
