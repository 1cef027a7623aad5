"""Gradient health: what each iteration does to each layer, recorded while the trainer runs.

A :class:`Health` belongs to a :class:`~ffn.trainer.Trainer`. On the iterations it is due
(the first, the last, each one the trainer evaluates at, and evenly between those, at
least ``RECORDS_PER_RUN`` a run), it
appends to the trainer's ``history``, one number per layer in each point:

``health_iteration``, ``health_seconds``
    the iteration the point belongs to (after its update), and the run's training time
    until then (:attr:`Trainer.train_seconds`: evaluations and pauses left out).
``grad_norm``
    ``||dW||`` of each Affine layer, from that iteration's own backward pass (with the L2
    term, as the optimizer saw it).
``update_ratio``
    ``||W_after - W_before|| / ||W_before||`` of each Affine layer: how far this one
    update moved the layer's weights, relative to their size.
``inactive``
    each hidden layer's share of units that pass no gradient on any image of a fixed
    batch of the training set: ReLU units at 0 on every image, Sigmoid or Tanh units
    saturated (within ``SATURATED`` of a limit) on every image.
``act_mean``, ``act_std``
    each hidden layer's activations over that fixed batch.

It also takes the exact inside of one iteration on request (:meth:`capture_next`): the
Step button's batch, loss before and after, and the change of the first layer.
"""
import numpy as np

from . import diagram
from .functions import to_label_indices
from .layers import SoftmaxWithLoss

HEALTH_KEYS = ("health_iteration", "health_seconds", "grad_norm", "update_ratio", "inactive",
               "act_mean", "act_std")
RECORDS_PER_RUN = 100  # at least this many points a run (every evaluation adds its own)
FIXED_BATCH = 64       # images in the fixed batch the activations are measured on
SATURATED = 0.01       # a Sigmoid output within this of 0 or 1, a Tanh output within it of -1 or 1
TILES = 64             # first-layer units shown as tiles
STEP_IMAGES = 32       # images of a Step's batch shown


def first_layer(net, units=TILES):
    """The first ``units`` columns of ``W1``, as a float32 copy of shape (input_size, units)."""
    return np.array(net.params["W1"][:, :units], dtype=np.float32)


class Health:
    """Records the health of ``net`` into ``history`` (see the module's docstring).

    Parameters
    ----------
    net : MultiLayerNet
    x_fixed : ndarray of shape (M, input_size)
        The fixed batch the activations are measured on (the first ``FIXED_BATCH`` are used).
    total_iters, eval_every : int
        The run's length and the iterations between its evaluations.
    """

    def __init__(self, net, x_fixed, total_iters, eval_every):
        self.net = net
        self.x_fixed = np.asarray(x_fixed[:FIXED_BATCH], dtype=net.dtype)
        # between two evaluations, `per_eval` points evenly spaced, the evaluation's own the first
        per_eval = -(-RECORDS_PER_RUN * eval_every // total_iters)
        self.every = max(1, -(-eval_every // per_eval))
        self.eval_every, self.total_iters = eval_every, total_iters
        self.W1_init = first_layer(net)  # the starting weights: W1 - W1_init is what training did
        self._weights = [net.params[f"W{i}"] for i in range(1, net.n_affine + 1)]
        sources = net.grad_sources()
        self._dW_at = [sources[f"W{i}"] for i in range(1, net.n_affine + 1)]  # (layer name, 'dW')
        self._before = None
        self._capture = False
        self.step = None  # the last captured iteration (see capture_next)

    def due(self, iteration):
        """Whether iteration ``iteration`` (counted from 1, after its update) is recorded."""
        return (iteration % self.eval_every % self.every == 0 or iteration == 1
                or iteration == self.total_iters or self._capture)

    def capture_next(self):
        """Keep the whole of the next iteration in :attr:`step`: a dict with ``iteration``,
        ``lr``, ``images`` (up to ``STEP_IMAGES`` of the batch, uint8 (K, input_size)),
        ``labels``, ``batch_size``, ``loss_before`` and ``loss_after`` (the batch's mean
        cross-entropy before and after the update), ``dW1`` (the change of
        :func:`first_layer`) and ``backward`` (:func:`ffn.diagram.backward`: what the network
        diagram draws of the iteration's backward pass)."""
        self._capture = True

    def before_update(self, x, t):
        """Called with the iteration's batch, its gradients in place, before the update."""
        self._before = [W.copy() for W in self._weights]
        layers = self.net.named_layers()
        self._grad_norm = [float(np.linalg.norm(getattr(layers[name], attr))) for name, attr in self._dW_at]
        if self._capture:
            k = min(STEP_IMAGES, len(x))
            lam = self.net.weight_decay_lambda  # dW holds the L2 term too: the diagram draws what flowed back
            back = [np.asarray(getattr(layers[name], attr), np.float64) - lam * np.asarray(W, np.float64)
                    for (name, attr), W in zip(self._dW_at, self._weights)]
            first = np.array(self.net.lastLayer.y[0], dtype=np.float64)  # the first image's softmax...
            first[int(to_label_indices(t[:1], self.net.output_size)[0])] -= 1.0  # ...minus its one-hot label
            self._step = {"images": np.clip(np.rint(x[:k] * 255), 0, 255).astype(np.uint8),
                          "labels": to_label_indices(t[:k], self.net.output_size).astype(np.int64),
                          "batch_size": len(x), "loss_before": self._loss(x, t),
                          "x": np.array(x), "t": np.array(t),
                          # the backward pass as the diagram draws it: each unit's gradient (its
                          # column of dW, backpropagated), each layer's, and the first image's y - t
                          "unit_grads": [np.linalg.norm(g, axis=0) for g in back],
                          "back_norms": [float(np.linalg.norm(g)) for g in back], "error": first}

    def _loss(self, x, t):
        """The batch's mean cross-entropy as the network predicts (without dropout, with batch
        norm's running statistics), before and after an update alike; with neither trick it
        is the loss the trainer reports."""
        return float(SoftmaxWithLoss().forward(self.net.predict(x), t))

    def after_update(self, trainer):
        """Called by ``trainer`` once the optimizer has updated the weights, before it counts the
        iteration: records the point into its history."""
        h, iteration, lr = trainer.history, trainer.iteration + 1, trainer.optimizer.lr
        for key in HEALTH_KEYS:
            h.setdefault(key, [])
        h["health_iteration"].append(iteration)
        h["health_seconds"].append(trainer.train_seconds)  # training time so far: a time axis for the curves
        h["grad_norm"].append(self._grad_norm)
        h["update_ratio"].append([_ratio(W, W0) for W, W0 in zip(self._weights, self._before)])
        inactive, mean, std = self.activations(self.x_fixed)
        h["inactive"].append(inactive)
        h["act_mean"].append(mean)
        h["act_std"].append(std)
        if self._capture:
            s = self._step
            x, t = s.pop("x"), s.pop("t")
            s["loss_after"] = self._loss(x, t)
            s["dW1"] = first_layer(self.net) - self._before[0][:, :TILES].astype(np.float32)
            s["backward"] = diagram.backward(s.pop("unit_grads"), s.pop("error"), s.pop("back_norms"),
                                             [W - W0 for W, W0 in zip(self._weights, self._before)])
            s.update(iteration=iteration, lr=float(lr))
            self.step, self._capture = s, False
        self._before = None

    def activations(self, x):
        """For each hidden layer on ``x``: (share of units inactive or saturated on every row,
        activation mean, activation standard deviation), three lists."""
        outputs = []
        self.net.predict(x, outputs=outputs)  # keeps nothing in the layers
        act = self.net.activation
        inactive, mean, std = [], [], []
        for name, a in outputs:
            if not name.startswith(act.capitalize()):  # the activations: not Affine, BatchNorm, Dropout...
                continue
            if act == "relu":
                dead = a <= 0
            elif act == "sigmoid":
                dead = (a < SATURATED) | (a > 1 - SATURATED)
            else:
                dead = np.abs(a) > 1 - SATURATED
            inactive.append(float(np.mean(np.all(dead, axis=0))))
            mean.append(float(np.mean(a)))
            std.append(float(np.std(a)))
        return inactive, mean, std


def _ratio(W, W0):
    n = float(np.linalg.norm(W0))
    return float(np.linalg.norm(W - W0)) / n if n > 0 else float("inf")
