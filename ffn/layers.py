"""Layers with hand-written forward and backward passes, as in the article.

The contract: ``forward(x)`` keeps what ``backward(dout)`` needs; ``backward`` returns
``dx`` (the gradient with respect to the layer's input), sets ``dW`` and ``db`` where the
layer has parameters, and never modifies ``dout``.

``forward(x, keep=False)`` computes the same output and keeps nothing. Inference uses
it, so that a network shared by many sessions (the app's bundled model) is only ever
read: two sessions predicting at once cannot see each other's inputs.

Training passes each layer a ``scratch`` (see :mod:`ffn.workspace`): the arrays the
layer wrote at the previous step, which it overwrites with ``out=`` instead of making
new ones. Without one, each call allocates its results, as the article's code does; the
numbers are the same either way.

The article's last tricks, under the same contract, live in :mod:`ffn.tricks` (batch and
layer normalisation, dropout) and :mod:`ffn.blocks` (the residual block).
"""
import numpy as np

from .functions import to_label_indices
from .workspace import new_array


class Affine:
    """``out = x @ W + b``.

    Parameters
    ----------
    W : ndarray of shape (D_in, D_out)
    b : ndarray of shape (D_out,)
        Held by reference: an optimizer that updates them in place updates the layer.
    input_grad : bool
        Whether ``backward`` computes ``dx``. The first layer of a network takes the data
        itself, whose gradient training never uses; skipping it saves a third of that
        layer's backward pass. Such a layer's ``backward`` returns ``None``. (The
        saliency of a drawing needs it: :meth:`ffn.MultiLayerNet.input_gradient` asks.)
    """

    def __init__(self, W, b, input_grad=True):
        self.W = W
        self.input_grad = input_grad
        self.b = b
        self.x = None
        self.original_x_shape = None
        self.dW = None
        self.db = None

    def forward(self, x, keep=True, scratch=None):
        """x : (N, D_in) or (N, ...) flattened to (N, D_in) -> (N, D_out)."""
        shape = x.shape
        x = x.reshape(x.shape[0], -1)
        if keep:
            self.original_x_shape, self.x = shape, x
        # out = x @ W + b, into the trainer's array when training; the bias added in place
        out = np.matmul(x, self.W, out=new_array(scratch, "out", (x.shape[0], self.W.shape[1]), self.W.dtype))
        out += self.b
        return out

    def backward(self, dout, scratch=None):
        """dout : (N, D_out) -> dx : original input shape; sets dW (D_in, D_out), db (D_out,).

        When training, dW and db are written straight into the trainer's gradient vector.
        """
        # dW = x.T @ dout;  db = dout summed over the batch;  dx = dout @ W.T
        self.dW = np.matmul(self.x.T, dout, out=new_array(scratch, "dW", self.W.shape, self.W.dtype))
        self.db = dout.sum(axis=0, out=new_array(scratch, "db", self.b.shape, self.b.dtype))
        if not self.input_grad:
            return None
        dx = np.matmul(dout, self.W.T, out=new_array(scratch, "dx", self.x.shape, self.W.dtype))
        return dx.reshape(self.original_x_shape)


class Relu:
    """``out = max(x, 0)``; the gradient passes where ``x > 0`` and stops elsewhere."""

    def __init__(self):
        self.mask = None  # True where x <= 0, as in the article

    def forward(self, x, keep=True, scratch=None):
        if keep:  # mask = (x <= 0)
            self.mask = np.less_equal(x, 0, out=new_array(scratch, "mask", x.shape, bool))
        return np.maximum(x, 0, out=new_array(scratch, "out", x.shape, x.dtype))  # out = max(x, 0)

    def backward(self, dout, scratch=None):
        # The article zeroes dout in place where the mask is set, which corrupts the
        # caller's gradient if it is reused. This writes dout times "x > 0" into a
        # separate array: the same numbers, and faster than dx[mask] = 0.
        passes = np.logical_not(self.mask, out=new_array(scratch, "passes", self.mask.shape, bool))
        return np.multiply(dout, passes, out=new_array(scratch, "dx", dout.shape, dout.dtype))


class Sigmoid:
    """``out = 1 / (1 + exp(-x))``; ``dx = dout * out * (1 - out)``."""

    def __init__(self):
        self.out = None

    def forward(self, x, keep=True, scratch=None):
        # With e = exp(-|x|), which never overflows, the sigmoid is 1 / (1 + e) for x >= 0
        # and e / (1 + e) for x < 0: the same function, written stably.
        e = np.exp(-np.abs(x))
        out = np.divide(np.where(x >= 0, 1, e), 1 + e, out=new_array(scratch, "out", x.shape, x.dtype))
        if keep:
            self.out = out
        return out

    def backward(self, dout, scratch=None):
        dx = np.subtract(1, self.out, out=new_array(scratch, "dx", dout.shape, dout.dtype))  # dx = 1 - out,
        dx *= self.out                                                                      # * out,
        dx *= dout                                                                          # * dout
        return dx


class Tanh:
    """``out = tanh(x)``; ``dx = dout * (1 - out**2)``."""

    def __init__(self):
        self.out = None

    def forward(self, x, keep=True, scratch=None):
        out = np.tanh(x, out=new_array(scratch, "out", x.shape, x.dtype))
        if keep:
            self.out = out
        return out

    def backward(self, dout, scratch=None):
        dx = new_array(scratch, "dx", dout.shape, dout.dtype)
        np.multiply(self.out, self.out, out=dx)  # out**2
        np.subtract(1, dx, out=dx)               # 1 - out**2
        dx *= dout
        return dx


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

    def forward(self, x, t, scratch=None):
        self.t = t
        idx = to_label_indices(t, x.shape[1])
        if idx.shape[0] != x.shape[0]:
            raise ValueError(f"x has {x.shape[0]} rows but t has {idx.shape[0]} labels")
        # z = x - max(x): the largest score becomes 0, so exp cannot overflow.
        z = np.subtract(x, x.max(axis=1, keepdims=True), out=new_array(scratch, "z", x.shape, x.dtype))
        y = np.exp(z, out=new_array(scratch, "y", x.shape, x.dtype))
        total = y.sum(axis=1, keepdims=True)  # >= 1: the largest term is exp(0)
        y /= total
        self.y = y
        # -log y[t] = log(total) - z[t], from the scores: finite even where y underflows to 0.
        n = x.shape[0]
        self.loss = float(np.log(total).sum() - z[np.arange(n), idx].sum()) / n
        return self.loss

    def backward(self, dout=1, scratch=None):
        batch_size = self.y.shape[0]
        dx = new_array(scratch, "dx", self.y.shape, self.y.dtype)
        np.copyto(dx, self.y)
        t = np.asarray(self.t)
        if t.shape == self.y.shape:
            dx -= t
        else:
            dx[np.arange(batch_size), t] -= 1
        dx *= dout / batch_size
        return dx

