"""Layers with hand-written forward and backward passes, as in the article.

The contract: ``forward(x)`` keeps what ``backward(dout)`` needs; ``backward`` returns
``dx`` (the gradient with respect to the layer's input), sets ``dW`` and ``db`` where the
layer has parameters, and never modifies ``dout``.

``forward(x, keep=False)`` computes the same output and keeps nothing. Inference uses
it, so that a network shared by many sessions (the app's bundled model) is only ever
read: two sessions predicting at once cannot see each other's inputs.
"""
import numpy as np

from .functions import log_softmax, to_label_indices


class Affine:
    """``out = x @ W + b``.

    Parameters
    ----------
    W : ndarray of shape (D_in, D_out)
    b : ndarray of shape (D_out,)
        Held by reference: an optimizer that updates them in place updates the layer.
    input_grad : bool
        Whether ``backward`` computes ``dx``. The first layer of a network takes the data
        itself, whose gradient nobody uses; skipping it saves a third of that layer's
        backward pass. Such a layer's ``backward`` returns ``None``.
    """

    def __init__(self, W, b, input_grad=True):
        self.W = W
        self.input_grad = input_grad
        self.b = b
        self.x = None
        self.original_x_shape = None
        self.dW = None
        self.db = None

    def forward(self, x, keep=True):
        """x : (N, D_in) or (N, ...) flattened to (N, D_in) -> (N, D_out)."""
        shape = x.shape
        x = x.reshape(x.shape[0], -1)
        if keep:
            self.original_x_shape, self.x = shape, x
        out = x @ self.W
        out += self.b
        return out

    def backward(self, dout):
        """dout : (N, D_out) -> dx : original input shape; sets dW (D_in, D_out), db (D_out,)."""
        self.dW = self.x.T @ dout
        self.db = dout.sum(axis=0)
        if not self.input_grad:
            return None
        return (dout @ self.W.T).reshape(self.original_x_shape)


class Relu:
    """``out = max(x, 0)``; the gradient passes where ``x > 0`` and stops elsewhere."""

    def __init__(self):
        self.mask = None  # True where x <= 0, as in the article

    def forward(self, x, keep=True):
        if keep:
            self.mask = x <= 0
        return np.maximum(x, 0)

    def backward(self, dout):
        # A new array: the article's version zeroes dout in place, which corrupts the
        # caller's gradient if it is reused. Multiplying by the boolean "x > 0" is the
        # same as zeroing where mask is True, and faster than np.where.
        return dout * ~self.mask


class Sigmoid:
    """``out = 1 / (1 + exp(-x))``; ``dx = dout * out * (1 - out)``."""

    def __init__(self):
        self.out = None

    def forward(self, x, keep=True):
        # exp(-|x|) never overflows; this is the same function written stably.
        e = np.exp(-np.abs(x))
        out = np.where(x >= 0, 1 / (1 + e), e / (1 + e))
        if keep:
            self.out = out
        return out

    def backward(self, dout):
        return dout * (1.0 - self.out) * self.out


class Tanh:
    """``out = tanh(x)``; ``dx = dout * (1 - out**2)``."""

    def __init__(self):
        self.out = None

    def forward(self, x, keep=True):
        out = np.tanh(x)
        if keep:
            self.out = out
        return out

    def backward(self, dout):
        return dout * (1.0 - self.out * self.out)


class SoftmaxWithLoss:
    """Softmax followed by the mean cross-entropy loss.

    ``forward(x, t)`` takes scores ``x`` of shape (N, C) and labels ``t`` as indices (N,)
    or one-hot (N, C), and returns the loss averaged over the batch. ``backward`` returns
    ``(y - t) / N``, the article's "beautiful" gradient.
    """

    def __init__(self):
        self.loss = None
        self.y = None  # softmax output, (N, C)
        self.t = None  # labels as given

    def forward(self, x, t):
        self.t = t
        idx = to_label_indices(t, x.shape[1])
        if idx.shape[0] != x.shape[0]:
            raise ValueError(f"x has {x.shape[0]} rows but t has {idx.shape[0]} labels")
        logp = log_softmax(x)  # from logits: finite even where softmax underflows
        self.y = np.exp(logp)
        self.loss = float(-logp[np.arange(x.shape[0]), idx].mean())
        return self.loss

    def backward(self, dout=1):
        batch_size = self.y.shape[0]
        t = np.asarray(self.t)
        if t.shape == self.y.shape:
            dx = self.y - t
        else:
            dx = self.y.copy()
            dx[np.arange(batch_size), t] -= 1
        dx *= dout / batch_size
        return dx.astype(self.y.dtype, copy=False)
