"""Numerical gradients by central differences, for checking backpropagation."""
import numpy as np


def numerical_gradient(f, x, h=1e-4):
    """Gradient of the scalar function ``f`` at ``x`` by central differences.

    ``x`` is perturbed in place one element at a time (and restored), so ``f`` may read it
    through a reference, as a network's loss reads its parameters. Costs two calls of ``f``
    per element: use it to check backprop on small networks, not to train.

    Parameters
    ----------
    f : callable taking no arguments and returning a float
    x : ndarray of floats, any shape
    h : float
        Step; 1e-4 suits float64. In float32 the differences are too coarse to check
        anything finer than about 1e-2.

    Returns
    -------
    grad : ndarray of the same shape and dtype as ``x``
    """
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
    while not it.finished:
        i = it.multi_index
        original = x[i]
        x[i] = original + h
        f_plus = f()
        x[i] = original - h
        f_minus = f()
        x[i] = original
        grad[i] = (f_plus - f_minus) / (2 * h)
        it.iternext()
    return grad


def relative_error(a, b):
    """``||a - b|| / (||a|| + ||b||)``: the gradient-check figure, robust to tiny entries."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    denom = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denom == 0 else float(np.linalg.norm(a - b) / denom)
