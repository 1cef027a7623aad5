"""Optimizers that update a network's ``params`` dict in place.

In place matters: the Affine layers hold the same arrays, so rebinding
``params['W1'] = ...`` would silently unlink them. Every update here writes into the
existing arrays. ``lr`` may be changed between steps (learning-rate schedules do so).

Each one works element by element (``elementwise = True``): the update of a weight
depends on that weight's gradient and history only. So updating the whole network as
one long vector is the same as updating it array by array, and :class:`ffn.Trainer`
does so, in one NumPy call per operation instead of one per array.
"""
import math

import numpy as np


class SGD:
    """Stochastic gradient descent: ``W -= lr * dW``."""

    elementwise = True

    def __init__(self, lr=0.01):
        self.lr = _check_lr(lr)
        self._tmp = None

    def update(self, params, grads):
        self._tmp = self._tmp or _like(params, np.empty_like)
        for key in params:
            params[key] -= np.multiply(grads[key], self.lr, out=self._tmp[key])


class Momentum:
    """SGD with momentum: ``v = momentum * v - lr * dW; W += v``."""

    elementwise = True

    def __init__(self, lr=0.01, momentum=0.9):
        self.lr, self.momentum, self.v = _check_lr(lr), momentum, None

    def update(self, params, grads):
        if self.v is None:
            self.v, self._tmp = _like(params, np.zeros_like), _like(params, np.empty_like)
        for key in params:
            v = self.v[key]
            v *= self.momentum
            v -= np.multiply(grads[key], self.lr, out=self._tmp[key])
            params[key] += v


class Nesterov:
    """Nesterov's accelerated gradient, in the form that needs no look-ahead pass:
    ``v = momentum * v - lr * dW; W += momentum * v - lr * dW``."""

    elementwise = True

    def __init__(self, lr=0.01, momentum=0.9):
        self.lr, self.momentum, self.v = _check_lr(lr), momentum, None

    def update(self, params, grads):
        if self.v is None:
            self.v, self._tmp = _like(params, np.zeros_like), _like(params, np.empty_like)
        m = self.momentum
        for key in params:
            v, step = self.v[key], self._tmp[key]
            np.multiply(grads[key], self.lr, out=step)  # lr * dW
            v *= m
            v -= step
            params[key] -= step
            params[key] += np.multiply(v, m, out=step)


class AdaGrad:
    """Per-parameter learning rates shrinking with the sum of squared gradients:
    ``h += dW**2; W -= lr * dW / (sqrt(h) + eps)``."""

    elementwise = True

    def __init__(self, lr=0.01, eps=1e-7):
        self.lr, self.eps, self.h = _check_lr(lr), eps, None

    def update(self, params, grads):
        if self.h is None:
            self.h, self._tmp = _like(params, np.zeros_like), _like(params, np.empty_like)
        for key in params:
            g, h, tmp = grads[key], self.h[key], self._tmp[key]
            h += np.multiply(g, g, out=tmp)
            _scaled_step(params[key], g, h, tmp, self.lr, self.eps)


class RMSprop:
    """Like AdaGrad, with an exponential moving average of squared gradients:
    ``h = decay * h + (1 - decay) * dW**2; W -= lr * dW / (sqrt(h) + eps)``."""

    elementwise = True

    def __init__(self, lr=0.001, decay_rate=0.99, eps=1e-7):
        self.lr, self.decay_rate, self.eps, self.h = _check_lr(lr), decay_rate, eps, None

    def update(self, params, grads):
        if self.h is None:
            self.h, self._tmp = _like(params, np.zeros_like), _like(params, np.empty_like)
        for key in params:
            g, h, tmp = grads[key], self.h[key], self._tmp[key]
            h *= self.decay_rate
            np.multiply(g, g, out=tmp)
            tmp *= 1 - self.decay_rate
            h += tmp
            _scaled_step(params[key], g, h, tmp, self.lr, self.eps)


class Adam:
    """Adam (Kingma and Ba, 2015) with bias correction.

    ``m = b1 m + (1 - b1) dW;  v = b2 v + (1 - b2) dW**2;``
    ``W -= lr_t m / (sqrt(v) + eps)`` with ``lr_t = lr sqrt(1 - b2**t) / (1 - b1**t)``.

    Attributes
    ----------
    m, v : dict of ndarray
        The moving averages, kept divided by (1 - b1) and (1 - b2): then updating them
        is ``m = b1 m + dW`` and ``v = b2 v + dW**2``, two passes over the weights fewer
        per step, and the constants move into ``lr_t`` and ``eps``. Multiply by
        (1 - b1) and (1 - b2) to read the textbook's m and v.
    """

    elementwise = True
    # A weight whose gradient stays 0 (a dead ReLU unit's) has its m shrink by b1 at every
    # step, below float32's normal range after about 760 steps, where 0.9 x the smallest
    # subnormal rounds back to itself: it never reaches 0, and arithmetic on subnormals is
    # many times slower (a 'fast' run's step went from 1.8 to 4.4 ms by iteration 3000).
    # So every FLUSH_EVERY steps, m's entries under FLUSH_BELOW become 0: from there an entry
    # needs over 170 steps to turn subnormal, and its step, m / (sqrt(v) + eps) x lr_t, was
    # under 1e-22, far below a float32 weight's last bit.
    FLUSH_EVERY, FLUSH_BELOW = 100, 1e-30

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
        self.lr, self.beta1, self.beta2, self.eps = _check_lr(lr), beta1, beta2, eps
        self.iter, self.m, self.v = 0, None, None

    def update(self, params, grads):
        if self.m is None:
            self.m, self.v = _like(params, np.zeros_like), _like(params, np.zeros_like)
            self._tmp = _like(params, np.empty_like)
        self.iter += 1
        b1, b2 = self.beta1, self.beta2
        # m / (sqrt(v) + eps) = (1 - b1) m_kept / (sqrt(1 - b2) sqrt(v_kept) + eps). These
        # are Python floats, not np.float64: NumPy would multiply a float32 array by an
        # np.float64 in float64 and convert back, far slower.
        root = math.sqrt(1.0 - b2)
        lr_t = self.lr * math.sqrt(1.0 - b2 ** self.iter) / (1.0 - b1 ** self.iter) * (1.0 - b1) / root
        eps = self.eps / root
        for key in params:
            # In place, with one scratch array: this is a large share of a training step's time.
            g, m, v, tmp = grads[key], self.m[key], self.v[key], self._tmp[key]
            m *= b1
            m += g
            v *= b2
            v += np.multiply(g, g, out=tmp)
            np.sqrt(v, out=tmp)
            tmp += eps
            np.divide(m, tmp, out=tmp)
            tmp *= lr_t
            params[key] -= tmp
            if self.iter % self.FLUSH_EVERY == 0:
                m[np.abs(m, out=tmp) < self.FLUSH_BELOW] = 0.0


def _like(params, make):
    """One array per parameter, made by ``make`` (np.zeros_like, np.empty_like)."""
    return {k: make(p) for k, p in params.items()}


def _scaled_step(W, g, h, tmp, lr, eps):
    """``W -= lr * g / (sqrt(h) + eps)`` in place, using ``tmp``."""
    np.sqrt(h, out=tmp)
    tmp += eps
    np.divide(g, tmp, out=tmp)
    tmp *= lr
    W -= tmp


OPTIMIZERS = {"sgd": SGD, "momentum": Momentum, "nesterov": Nesterov,
              "adagrad": AdaGrad, "rmsprop": RMSprop, "adam": Adam}


def _check_lr(lr):
    if (isinstance(lr, bool) or not isinstance(lr, (int, float, np.floating))
            or not (np.isfinite(lr) and lr > 0)):
        raise ValueError(f"learning rate must be a positive finite number, got {lr!r}")
    return float(lr)


def make_optimizer(name, lr, momentum=0.9):
    """Build an optimizer by name, one of ``OPTIMIZERS`` (case-insensitive). ``momentum``, the
    share of the last step kept in the next, is Momentum's and Nesterov's; the others have none."""
    key = str(name).lower()
    if key not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {sorted(OPTIMIZERS)}, got {name!r}")
    if OPTIMIZERS[key] in (Momentum, Nesterov):
        return OPTIMIZERS[key](lr=lr, momentum=momentum)
    return OPTIMIZERS[key](lr=lr)
