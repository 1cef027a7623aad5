"""The tricks of the article's last paragraph, as layers with the same contract as the
others (:mod:`ffn.layers`): ``forward`` keeps what ``backward`` needs, ``backward``
returns ``dx``, sets the layer's parameter gradients, and never modifies ``dout``.

- :class:`BatchNormalization` normalises each unit over the batch, then scales and
  shifts it by learnt ``gamma`` and ``beta``; at inference it uses running statistics.
- :class:`LayerNormalization` normalises each sample over its units: the same maths at
  training and at inference.
- :class:`Dropout` drops units at random while training (inverted dropout: the kept
  ones are scaled by 1 / (1 - ratio)), and does nothing at inference.
- :class:`ffn.blocks.Residual` adds a block's input to its output, ``x + F(x)``; it
  lives with the code that runs a list of layers, since that is what it does.

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
        self.batch_stats = True  # whether the kept forward pass used the batch's statistics
        self.dgamma = self.dbeta = None

    def forward(self, x, keep=True, scratch=None, train_flg=None):
        """x : (N, D) -> (N, D). Training: the batch's own statistics, and, when ``keep``
        (a pass that backward will follow), the running ones move towards them; inference:
        the running statistics. ``keep=False`` writes nothing into the layer."""
        batch_stats = keep if train_flg is None else train_flg
        if batch_stats:
            mu = x.mean(axis=0)
            xc = x - mu
            var = np.mean(xc ** 2, axis=0)
            std = np.sqrt(var + self.eps)
            if keep:
                self.running_mean *= self.momentum
                self.running_mean += (1 - self.momentum) * mu
                self.running_var *= self.momentum
                self.running_var += (1 - self.momentum) * var
        else:  # inference: a fixed scale and shift per unit
            xc = x - self.running_mean
            std = np.sqrt(self.running_var + self.eps)
        xn = xc / std
        if keep:
            self.xc, self.std, self.xn, self.batch_stats = xc, std, xn, batch_stats
        return self.gamma * xn + self.beta

    def backward(self, dout, scratch=None):
        """dout : (N, D) -> dx : (N, D); sets dgamma and dbeta (D,).

        The mean and the variance depend on every row of the batch, so each row's gradient
        gathers the others' through them: the two sums below.
        """
        n = dout.shape[0]
        self.dbeta, self.dgamma = _param_grads(self.xn, dout, self.gamma, scratch)
        dxn = self.gamma * dout
        if not self.batch_stats:  # inference (a saliency map): the statistics are constants
            return dxn / self.std
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
        # each row's mean and spread depend on all its units:
        # dx = (dxn - mean(dxn) - xn * mean(dxn * xn)) / std
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
        """x : (N, D) -> (N, D): ``x`` itself at inference; while training, ``x * mask / (1 - ratio)``
        with a new mask drawn from ``rng`` (or ``fixed_mask``).

        Drawing a mask moves ``rng``: a training pass must be one that backward follows
        (``keep``), so that ``keep=False`` writes nothing here, as for every layer.
        """
        if not (keep if train_flg is None else train_flg) or self.ratio == 0:
            if keep:
                self.mask = None  # backward passes dout through
            return x
        if not keep and self.fixed_mask is None:
            raise ValueError("dropout in training mode draws a mask from its rng: pass keep=True "
                             "(a pass that backward follows), or set fixed_mask")
        mask = self.fixed_mask if self.fixed_mask is not None else self.rng.random(x.shape) >= self.ratio
        scale = np.asarray(1.0 / (1.0 - self.ratio), dtype=x.dtype)
        if keep:
            self.mask = mask
        return x * mask * scale

    def backward(self, dout, scratch=None):
        """dout : (N, D) -> dx : (N, D): the gradient flows only through the units kept, scaled alike."""
        if self.mask is None:
            return dout
        return dout * self.mask * np.asarray(1.0 / (1.0 - self.ratio), dtype=dout.dtype)


def _param_grads(xn, dout, gamma, scratch):
    """``dbeta = sum(dout)`` and ``dgamma = sum(xn * dout)`` over the batch, written into the
    trainer's gradient vector when it passes a scratch (as Affine writes dW)."""
    dbeta = dout.sum(axis=0, out=new_array(scratch, "dbeta", gamma.shape, dout.dtype))
    dgamma = np.einsum("ij,ij->j", xn, dout, out=new_array(scratch, "dgamma", gamma.shape, dout.dtype))
    return dbeta, dgamma
