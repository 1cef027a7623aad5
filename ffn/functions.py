"""Pure, numerically safe functions used by the layers: softmax and cross-entropy."""
import numpy as np


def softmax(x):
    """Row-wise softmax, shifted by the row max so that large logits cannot overflow.

    Parameters
    ----------
    x : ndarray of shape (N, C) or (C,)
        Scores (logits).

    Returns
    -------
    y : ndarray of the same shape and dtype, each row summing to 1.
    """
    x = np.asarray(x)
    z = x - np.max(x, axis=-1, keepdims=True)
    np.exp(z, out=z)
    z /= np.sum(z, axis=-1, keepdims=True)
    return z


def log_softmax(x):
    """Row-wise log of the softmax, computed without forming tiny probabilities."""
    x = np.asarray(x)
    z = x - np.max(x, axis=-1, keepdims=True)
    return z - np.log(np.sum(np.exp(z), axis=-1, keepdims=True))


def to_label_indices(t, num_classes):
    """Return labels as an int array of shape (N,), accepting indices or one-hot rows."""
    t = np.asarray(t)
    if t.ndim == 2 and t.shape[1] == num_classes:
        return t.argmax(axis=1)
    if t.ndim == 1 and np.issubdtype(t.dtype, np.integer):
        return t
    raise ValueError(
        f"t must be integer labels of shape (N,) or one-hot of shape (N, {num_classes}); "
        f"got dtype {t.dtype} and shape {t.shape}"
    )


def cross_entropy_error(y, t):
    """Mean cross-entropy of probabilities ``y`` against labels ``t``.

    Probabilities are clipped at the dtype's eps so that a zero probability gives a
    large, finite loss instead of ``inf``.

    Parameters
    ----------
    y : ndarray of shape (N, C) or (C,)
        Probabilities (softmax output).
    t : ndarray of shape (N,) with integer labels, or (N, C) one-hot

    Returns
    -------
    float
        The loss averaged over the batch.
    """
    y = np.asarray(y)
    t = np.asarray(t)
    if y.ndim == 1:  # a single sample: one-hot row or one label
        t = t.reshape(1, -1) if t.size == y.size else t.reshape(1)
        y = y.reshape(1, -1)
    idx = to_label_indices(t, y.shape[1])
    eps = np.finfo(y.dtype).eps if np.issubdtype(y.dtype, np.floating) else 1e-7
    p = np.clip(y[np.arange(y.shape[0]), idx], eps, 1.0)
    return float(-np.mean(np.log(p)))
