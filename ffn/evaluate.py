"""A model measured on a labelled set: accuracy, the confusion matrix, each digit's
accuracy, and its mistakes ordered by how sure it was of them; and a run's accuracies as
its trainer records them."""
import numpy as np

from .functions import to_label_indices


def evaluate(net, x, t, batch_size=2000):
    """Everything the Evaluate tab shows about ``net`` on ``x``, ``t``.

    Parameters
    ----------
    net : MultiLayerNet
        Only read (``predict_proba``): a network shared between sessions may be evaluated.
    x : ndarray of shape (N, input_size)
        Inputs; uint8 images (as MNIST's files hold them) are scaled to [0, 1], as
        :func:`ffn.load_mnist` does, a chunk at a time.
    t : ndarray of shape (N,) or (N, C)
        Labels, or one-hot rows.
    batch_size : int
        Rows predicted at once (bounds the memory).

    Returns
    -------
    dict
        ``accuracy`` (float); ``confusion``, (C, C) int64 with rows the true class and
        columns the predicted one; ``per_class``, (C,) accuracy of each true class (NaN
        for a class with no sample); ``mistakes``, the indices of the wrong predictions,
        most confident first; ``predicted`` (N,) and ``confidence`` (N,), the predicted
        class and the probability the network gave it.
    """
    x = np.asarray(x)
    n, classes = len(x), net.output_size
    if n == 0:
        raise ValueError("evaluate needs at least one sample, got x of length 0")
    t = to_label_indices(t, classes)
    if len(t) != n:
        raise ValueError(f"x has {n} rows but t has {len(t)} labels")
    predicted = np.empty(n, dtype=np.int64)
    confidence = np.empty(n, dtype=np.float32)
    for s in range(0, n, batch_size):
        chunk = x[s:s + batch_size]
        if np.issubdtype(chunk.dtype, np.integer):
            chunk = chunk.astype(net.dtype) / 255
        p = net.predict_proba(chunk)
        predicted[s:s + len(chunk)] = np.argmax(p, axis=1)
        confidence[s:s + len(chunk)] = np.max(p, axis=1)
    confusion = np.zeros((classes, classes), dtype=np.int64)
    np.add.at(confusion, (t, predicted), 1)
    per_row = confusion.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        per_class = np.where(per_row > 0, np.diag(confusion) / per_row, np.nan)
    wrong = np.flatnonzero(predicted != t)
    mistakes = wrong[np.argsort(-confidence[wrong], kind="stable")]
    return {"accuracy": float(np.trace(confusion) / n), "confusion": confusion, "per_class": per_class,
            "mistakes": mistakes, "predicted": predicted, "confidence": confidence}


def cell(result, t, true, pred, limit=40):
    """Indices of the samples of class ``true`` predicted as ``pred`` (one cell of the confusion
    matrix), the most confident first, at most ``limit``."""
    t = np.asarray(t)
    idx = np.flatnonzero((t == true) & (result["predicted"] == pred))
    return idx[np.argsort(-result["confidence"][idx], kind="stable")][:limit]


def row_shares(confusion):
    """Each row of a confusion matrix as shares of its total (a row of zeros stays zeros)."""
    c = np.asarray(confusion, dtype=np.float64)
    rows = c.sum(axis=1, keepdims=True)
    return np.divide(c, rows, out=np.zeros_like(c), where=rows > 0)


def commonest_mistake(confusion):
    """``(true, predicted)`` of the largest off-diagonal cell."""
    c = np.array(confusion)
    np.fill_diagonal(c, -1)
    true, pred = np.unravel_index(np.argmax(c), c.shape)
    return int(true), int(pred)


class RunAccuracy:
    """A run's accuracies: on fixed subsets while it trains, so that measuring costs little
    beside training, and on the full sets at the end.

    Parameters
    ----------
    x_train, t_train, x_valid, t_valid : ndarray
        The run's sets; the validation set may be None or empty.
    subset : ndarray of int
        Sorted indices of the training images measured during the run.
    size : int
        At most this many images of each set are measured during the run. A whole set is
        a slice, a view: a copy at every evaluation would cost more than the evaluation.
    """

    def __init__(self, x_train, t_train, x_valid, t_valid, subset, size):
        self.x_train, self.t_train, self.x_valid, self.t_valid = x_train, t_train, x_valid, t_valid
        self._train = slice(None) if size >= len(x_train) else subset
        n_valid = min(0 if x_valid is None else len(x_valid), size)
        self._valid = slice(0, n_valid) if n_valid else None

    def record(self, net, history):
        """Append the subsets' accuracies to ``history['train_acc']`` and ``['valid_acc']``."""
        history["train_acc"].append(net.accuracy(self.x_train[self._train], self.t_train[self._train]))
        if self._valid is not None:
            history["valid_acc"].append(net.accuracy(self.x_valid[self._valid], self.t_valid[self._valid]))

    def final(self, net, x_test=None, t_test=None):
        """``{'train', 'valid', 'test'}`` accuracy on the full sets (those given)."""
        out = {"train": net.accuracy(self.x_train, self.t_train)}
        if self.x_valid is not None and len(self.x_valid):
            out["valid"] = net.accuracy(self.x_valid, self.t_valid)
        if x_test is not None:
            out["test"] = net.accuracy(x_test, t_test)
        return out
