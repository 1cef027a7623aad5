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


def numerical_gradient_at(f, x, indices, h=1e-4):
    """:func:`numerical_gradient` at the flat positions ``indices`` of ``x`` only.

    The same central differences, element by element, for a sample of a large array:
    returns a 1-D array of ``len(indices)`` partial derivatives, in the order given.
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
