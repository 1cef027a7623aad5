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
    x : ndarray of floats, any shape, contiguous (a network's parameters are)
    h : float
        Step; 1e-4 suits float64. In float32 the differences are too coarse to check
        anything finer than about 1e-2.

    Returns
    -------
    grad : ndarray of the same shape and dtype as ``x``
    """
    return numerical_gradient_at(f, x, range(x.size), h).reshape(x.shape)


def relative_error(a, b):
    """``||a - b|| / (||a|| + ||b||)``: the gradient-check figure, robust to tiny entries."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    denom = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denom == 0 else float(np.linalg.norm(a - b) / denom)


def numerical_gradient_at(f, x, indices, h=1e-4):
    """Central differences at the flat positions ``indices`` of ``x``: for each, nudge that
    one element up and down by ``h`` (restoring it after), and take the slope of ``f``.

    :func:`numerical_gradient` runs it over every element; the gradient check samples a
    large array. Returns a 1-D array of ``len(indices)`` partial derivatives, in order.
    """
    flat = x.reshape(-1)  # a view: writing it perturbs x (x must be contiguous)
    if not np.shares_memory(flat, x):
        raise ValueError(f"x must be a contiguous array, got strides {x.strides}")
    grad = np.zeros(len(indices), dtype=x.dtype)
    for k, i in enumerate(indices):
        original = flat[i]
        flat[i] = original + h
        f_plus = f()
        flat[i] = original - h
        f_minus = f()
        flat[i] = original
        grad[k] = (f_plus - f_minus) / (2 * h)
    return grad
