"""Feed-forward networks built from the article's layers.

``MultiLayerNet`` takes any list of hidden sizes; ``ThreeLayerNet`` is the article's
784 -> H -> H//2 -> 10 network with its defaults (ReLU, weights drawn with std 0.01).
"""
from collections import OrderedDict

import numpy as np

from .gradient import numerical_gradient as _numerical_gradient
from .layers import Affine, Relu, Sigmoid, SoftmaxWithLoss, Tanh

ACTIVATIONS = {"relu": Relu, "sigmoid": Sigmoid, "tanh": Tanh}
WEIGHT_INITS = ("std", "he", "xavier")
MAX_UNITS = 4096  # per layer; keeps a hosted demo from being asked for a giant network


def _check_size(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not 1 <= value <= MAX_UNITS:
        raise ValueError(f"{name} must be an integer in [1, {MAX_UNITS}], got {value!r}")
    return int(value)


def init_scale(weight_init, fan_in, weight_init_std=0.01):
    """Standard deviation of the initial weights of a layer with ``fan_in`` inputs.

    ``'std'`` uses ``weight_init_std`` as given (the article: 0.01); ``'he'`` uses
    sqrt(2 / fan_in), suited to ReLU; ``'xavier'`` uses sqrt(1 / fan_in), suited to
    sigmoid and tanh.
    """
    if weight_init == "std":
        return float(weight_init_std)
    if weight_init == "he":
        return float(np.sqrt(2.0 / fan_in))
    if weight_init == "xavier":
        return float(np.sqrt(1.0 / fan_in))
    raise ValueError(f"weight_init must be one of {set(WEIGHT_INITS)}, got {weight_init!r}")


class MultiLayerNet:
    """A fully connected network: (Affine -> activation) x len(hidden) -> Affine -> softmax.

    Parameters
    ----------
    input_size : int
        Inputs per sample (784 for MNIST).
    hidden_size_list : list of int
        Units in each hidden layer, e.g. ``[64, 32]``.
    output_size : int
        Classes (10).
    activation : {'relu', 'sigmoid', 'tanh'}
    weight_init : {'std', 'he', 'xavier'}
        How the initial weights are scaled (see :func:`init_scale`). Biases start at 0.
    weight_init_std : float
        The standard deviation used when ``weight_init='std'``.
    weight_decay_lambda : float
        L2 penalty: the loss adds ``0.5 * lambda * sum(W**2)`` over all weight matrices.
    seed : int or None
        Seeds the initial weights; the same seed gives the same network.
    dtype : {np.float32, np.float64}
        float32 trains about twice as fast; float64 is for gradient checks.

    Attributes
    ----------
    params : dict of ndarray
        ``'W1'``, ``'b1'``, ... shared by reference with the Affine layers: update them
        in place (``params['W1'] -= ...``), never rebind them.
    layers : OrderedDict
        ``'Affine1'``, ``'Relu1'``, ..., in forward order.
    lastLayer : SoftmaxWithLoss
    """

    def __init__(self, input_size, hidden_size_list, output_size, activation="relu",
                 weight_init="he", weight_init_std=0.01, weight_decay_lambda=0.0,
                 seed=None, dtype=np.float32):
        self.input_size = _check_size("input_size", input_size)
        self.output_size = _check_size("output_size", output_size)
        if isinstance(hidden_size_list, (int, np.integer)) or len(hidden_size_list) == 0:
            raise ValueError(f"hidden_size_list must be a non-empty list of sizes, got {hidden_size_list!r}")
        self.hidden_size_list = [_check_size("hidden size", h) for h in hidden_size_list]
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {set(ACTIVATIONS)}, got {activation!r}")
        if weight_init not in WEIGHT_INITS:
            raise ValueError(f"weight_init must be one of {set(WEIGHT_INITS)}, got {weight_init!r}")
        if not (np.isfinite(weight_init_std) and 0 < weight_init_std <= 10):
            raise ValueError(f"weight_init_std must be in (0, 10], got {weight_init_std!r}")
        if not (np.isfinite(weight_decay_lambda) and 0 <= weight_decay_lambda <= 1):
            raise ValueError(f"weight_decay_lambda must be in [0, 1], got {weight_decay_lambda!r}")
        if np.dtype(dtype) not in (np.float32, np.float64):
            raise ValueError(f"dtype must be float32 or float64, got {dtype!r}")
        self.activation = activation
        self.weight_init = weight_init
        self.weight_init_std = float(weight_init_std)
        self.weight_decay_lambda = float(weight_decay_lambda)
        self.seed = seed
        self.dtype = np.dtype(dtype)

        rng = np.random.default_rng(seed)
        sizes = [self.input_size, *self.hidden_size_list, self.output_size]
        self.params = {}
        for i in range(1, len(sizes)):
            scale = init_scale(weight_init, sizes[i - 1], weight_init_std)
            self.params[f"W{i}"] = (scale * rng.standard_normal((sizes[i - 1], sizes[i]))).astype(self.dtype)
            self.params[f"b{i}"] = np.zeros(sizes[i], dtype=self.dtype)

        self.layers = OrderedDict()
        name = activation.capitalize()
        for i in range(1, len(sizes)):
            self.layers[f"Affine{i}"] = Affine(self.params[f"W{i}"], self.params[f"b{i}"], input_grad=i > 1)
            if i < len(sizes) - 1:
                self.layers[f"{name}{i}"] = ACTIVATIONS[activation]()
        self.lastLayer = SoftmaxWithLoss()

    @property
    def n_affine(self):
        """Number of Affine layers (hidden layers + 1)."""
        return len(self.hidden_size_list) + 1

    def config(self):
        """The constructor arguments as a JSON-friendly dict (saved with the model)."""
        return {
            "input_size": self.input_size,
            "hidden_size_list": list(self.hidden_size_list),
            "output_size": self.output_size,
            "activation": self.activation,
            "weight_init": self.weight_init,
            "weight_init_std": self.weight_init_std,
            "weight_decay_lambda": self.weight_decay_lambda,
        }

    def _check_x(self, x):
        x = np.asarray(x)
        if x.ndim == 1:
            x = x.reshape(1, -1)
        if x.ndim != 2 or x.shape[1] != self.input_size:
            raise ValueError(f"x must have shape (N, {self.input_size}), got {x.shape}")
        if not np.issubdtype(x.dtype, np.number):
            raise ValueError(f"x must be numeric, got dtype {x.dtype}")
        return x

    def predict(self, x):
        """Scores (logits) of shape (N, output_size) for x of shape (N, input_size)."""
        for layer in self.layers.values():
            x = layer.forward(x)
        return x

    def predict_proba(self, x):
        """Class probabilities, (N, output_size) rows summing to 1; x (N, input_size) or (input_size,).

        Checks its input, evaluates in chunks to bound memory, and keeps no state for
        backward, so it is safe to call from many sessions sharing one network.
        """
        x = self._check_x(x).astype(self.dtype, copy=False)
        if not np.all(np.isfinite(x)):
            raise ValueError("x contains NaN or infinite values")
        out = np.empty((x.shape[0], self.output_size), dtype=self.dtype)
        n_hidden = len(self.hidden_size_list)
        act = ACTIVATIONS[self.activation]
        for s in range(0, x.shape[0], 4096):
            h = x[s:s + 4096]
            for i in range(1, n_hidden + 2):
                h = h @ self.params[f"W{i}"] + self.params[f"b{i}"]
                if i <= n_hidden:
                    h = act().forward(h)
            h = h - h.max(axis=1, keepdims=True)
            np.exp(h, out=h)
            out[s:s + 4096] = h / h.sum(axis=1, keepdims=True)
        return out

    def _decay(self):
        if self.weight_decay_lambda == 0:
            return 0.0
        return 0.5 * self.weight_decay_lambda * sum(
            float(np.sum(self.params[f"W{i}"] ** 2)) for i in range(1, self.n_affine + 1))

    def loss(self, x, t):
        """Mean cross-entropy of the batch plus the L2 penalty. x (N, D), t (N,) or (N, C)."""
        y = self.predict(x)
        return self.lastLayer.forward(y, t) + self._decay()

    def accuracy(self, x, t, batch_size=5000):
        """Fraction of rows of x whose highest score is the label t (indices or one-hot)."""
        t = np.asarray(t)
        if t.ndim != 1:
            t = np.argmax(t, axis=1)
        if len(x) == 0:
            raise ValueError("accuracy needs at least one sample, got x of length 0")
        correct = 0
        for s in range(0, len(x), batch_size):
            correct += int(np.sum(np.argmax(self.predict(x[s:s + batch_size]), axis=1) == t[s:s + batch_size]))
        return correct / len(x)

    def gradient(self, x, t):
        """Gradients of :meth:`loss` by backpropagation.

        Returns
        -------
        grads : dict of ndarray
            Same keys and shapes as ``params``. The loss of this forward pass is left in
            ``self.lastLayer.loss`` (without the L2 term), so a trainer need not run a
            second forward pass to report it.
        """
        self.loss(x, t)
        dout = self.lastLayer.backward(1)
        for layer in reversed(self.layers.values()):
            dout = layer.backward(dout)  # None after Affine1: the data needs no gradient
        grads = {}
        for i in range(1, self.n_affine + 1):
            layer = self.layers[f"Affine{i}"]
            grads[f"W{i}"] = layer.dW + self.weight_decay_lambda * self.params[f"W{i}"] \
                if self.weight_decay_lambda else layer.dW
            grads[f"b{i}"] = layer.db
        return grads

    def numerical_gradient(self, x, t, h=1e-4):
        """Gradients of :meth:`loss` by central differences (slow: for checking only)."""
        return {key: _numerical_gradient(lambda: self.loss(x, t), p, h) for key, p in self.params.items()}


class ThreeLayerNet(MultiLayerNet):
    """The article's network: input -> hidden -> hidden // 2 -> output.

    Parameters
    ----------
    input_size, hidden_size, output_size : int
        784, H, 10 for MNIST; the second hidden layer has ``hidden_size // 2`` units.
    weight_init_std : float
        Standard deviation of the initial weights (the article: 0.01). With three layers
        of such small weights the signal shrinks at each layer and SGD at lr 0.01 stalls;
        pass ``weight_init='he'`` to scale by fan-in instead.
    activation, weight_init, weight_decay_lambda, seed, dtype
        As in :class:`MultiLayerNet`.
    """

    def __init__(self, input_size, hidden_size, output_size, weight_init_std=0.01,
                 activation="relu", weight_init="std", weight_decay_lambda=0.0,
                 seed=None, dtype=np.float32):
        hidden_size = _check_size("hidden_size", hidden_size)
        if hidden_size < 2:
            raise ValueError(f"hidden_size must be at least 2 (the second layer has hidden_size // 2 units), got {hidden_size}")
        super().__init__(input_size, [hidden_size, hidden_size // 2], output_size,
                         activation=activation, weight_init=weight_init,
                         weight_init_std=weight_init_std,
                         weight_decay_lambda=weight_decay_lambda, seed=seed, dtype=dtype)
