"""Optimizers that update a network's ``params`` dict in place.

In place matters: the Affine layers hold the same arrays, so rebinding
``params['W1'] = ...`` would silently unlink them. Every update here writes into the
existing arrays. ``lr`` may be changed between steps (learning-rate schedules do so).
"""
import numpy as np


class SGD:
    """Stochastic gradient descent: ``W -= lr * dW``."""

    def __init__(self, lr=0.01):
        self.lr = _check_lr(lr)

    def update(self, params, grads):
        for key in params:
            params[key] -= self.lr * grads[key]


class Momentum:
    """SGD with momentum: ``v = momentum * v - lr * dW; W += v``."""

    def __init__(self, lr=0.01, momentum=0.9):
        self.lr, self.momentum, self.v = _check_lr(lr), momentum, None

    def update(self, params, grads):
        if self.v is None:
            self.v = {k: np.zeros_like(p) for k, p in params.items()}
        for key in params:
            v = self.v[key]
            v *= self.momentum
            v -= self.lr * grads[key]
            params[key] += v


class Nesterov:
    """Nesterov's accelerated gradient, in the form that needs no look-ahead pass."""

    def __init__(self, lr=0.01, momentum=0.9):
        self.lr, self.momentum, self.v = _check_lr(lr), momentum, None

    def update(self, params, grads):
        if self.v is None:
            self.v = {k: np.zeros_like(p) for k, p in params.items()}
        m = self.momentum
        for key in params:
            v = self.v[key]
            v *= m
            v -= self.lr * grads[key]
            params[key] += m * v - self.lr * grads[key]


class AdaGrad:
    """Per-parameter learning rates shrinking with the sum of squared gradients."""

    def __init__(self, lr=0.01, eps=1e-7):
        self.lr, self.eps, self.h = _check_lr(lr), eps, None

    def update(self, params, grads):
        if self.h is None:
            self.h = {k: np.zeros_like(p) for k, p in params.items()}
        for key in params:
            g = grads[key]
            self.h[key] += g * g
            params[key] -= self.lr * g / (np.sqrt(self.h[key]) + self.eps)


class RMSprop:
    """Like AdaGrad, with an exponential moving average of squared gradients."""

    def __init__(self, lr=0.001, decay_rate=0.99, eps=1e-7):
        self.lr, self.decay_rate, self.eps, self.h = _check_lr(lr), decay_rate, eps, None

    def update(self, params, grads):
        if self.h is None:
            self.h = {k: np.zeros_like(p) for k, p in params.items()}
        for key in params:
            g, h = grads[key], self.h[key]
            h *= self.decay_rate
            h += (1 - self.decay_rate) * g * g
            params[key] -= self.lr * g / (np.sqrt(h) + self.eps)


class Adam:
    """Adam (Kingma and Ba, 2015) with bias correction."""

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
        self.lr, self.beta1, self.beta2, self.eps = _check_lr(lr), beta1, beta2, eps
        self.iter, self.m, self.v = 0, None, None

    def update(self, params, grads):
        if self.m is None:
            self.m = {k: np.zeros_like(p) for k, p in params.items()}
            self.v = {k: np.zeros_like(p) for k, p in params.items()}
            self._tmp = {k: np.empty_like(p) for k, p in params.items()}
        self.iter += 1
        b1, b2 = self.beta1, self.beta2
        lr_t = self.lr * np.sqrt(1.0 - b2 ** self.iter) / (1.0 - b1 ** self.iter)
        for key in params:
            # m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;  W -= lr_t m / (sqrt(v) + eps)
            # written with one scratch array, since this loop is a third of a step's time.
            g, m, v, tmp = grads[key], self.m[key], self.v[key], self._tmp[key]
            m *= b1
            np.multiply(g, 1 - b1, out=tmp)
            m += tmp
            v *= b2
            np.multiply(g, g, out=tmp)
            tmp *= 1 - b2
            v += tmp
            np.sqrt(v, out=tmp)
            tmp += self.eps
            np.divide(m, tmp, out=tmp)
            tmp *= lr_t
            params[key] -= tmp


OPTIMIZERS = {"sgd": SGD, "momentum": Momentum, "nesterov": Nesterov,
              "adagrad": AdaGrad, "rmsprop": RMSprop, "adam": Adam}


def _check_lr(lr):
    if isinstance(lr, bool) or not isinstance(lr, (int, float, np.floating)) or not (np.isfinite(lr) and lr > 0):
        raise ValueError(f"learning rate must be a positive finite number, got {lr!r}")
    return float(lr)


def make_optimizer(name, lr):
    """Build an optimizer by name, one of ``OPTIMIZERS`` (case-insensitive)."""
    key = str(name).lower()
    if key not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {sorted(OPTIMIZERS)}, got {name!r}")
    return OPTIMIZERS[key](lr=lr)
