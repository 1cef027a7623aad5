"""What a network may be: its layers' choices, its bounds, the keys of its config, their
checks, and the shapes of its parameters. :class:`ffn.MultiLayerNet` is built from these;
the settings, the model loader and the app read them here, the one place they are written.
"""
import math

import numpy as np

from .layers import Relu, Sigmoid, Tanh

ACTIVATIONS = {"relu": Relu, "sigmoid": Sigmoid, "tanh": Tanh}
WEIGHT_INITS = ("std", "he", "xavier")
MAX_UNITS = 4096   # units per layer
MAX_LAYERS = 8     # hidden layers
MAX_INIT_STD = 10.0  # weight_init_std is in (0, MAX_INIT_STD]
MAX_DECAY = 1.0      # weight_decay_lambda is in [0, MAX_DECAY]
NORMALIZATIONS = ("none", "batch", "layer")  # after each hidden Affine, before its activation
MAX_DROPOUT = 0.9    # dropout_ratio is in [0, MAX_DROPOUT]
CONFIG_KEYS = ("input_size", "hidden_size_list", "output_size", "activation", "weight_init",
               "weight_init_std", "weight_decay_lambda", "normalization", "dropout_ratio",
               "residual")  # what config() returns and a model file keeps


class ConfigError(ValueError):
    """An argument out of range: ``code`` names the rule and ``values`` hold its numbers,
    so that a page can word it in its reader's language; ``str()`` is plain English."""

    def __init__(self, code, message, **values):
        super().__init__(message)
        self.code, self.values = code, values


def check_size(name, value, limit=MAX_UNITS):
    """``value`` as an ``int`` in [1, ``limit``], or a :class:`ConfigError` (code ``units``)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not 1 <= value <= limit:
        raise ConfigError("units", f"{name} must be an integer in [1, {limit}], got {value!r}",
                          limit=limit, got=value)
    return int(value)


def is_number(v):
    """True for a finite real number (not a bool, a string or NaN)."""
    if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
        return False
    try:
        return math.isfinite(v)  # an int too large for a float is not a sensible value either
    except OverflowError:
        return False


def check_config(input_size, hidden_size_list, output_size, activation="relu", weight_init="he",
                 weight_init_std=0.01, weight_decay_lambda=0.0, normalization="none", dropout_ratio=0.0,
                 residual=False, *, max_units=MAX_UNITS, max_layers=MAX_LAYERS):
    """Check a network's constructor arguments without building anything.

    Parameters
    ----------
    max_units, max_layers : int
        Bounds on each hidden layer's units and on the hidden layers: the library's by
        default; a caller may pass tighter ones (the app's).

    Returns
    -------
    dict
        The arguments under :data:`CONFIG_KEYS`, sizes as ``int``.

    Raises
    ------
    ConfigError
        A ``ValueError`` naming the first argument out of range and the value received.
    """
    sized = hasattr(hidden_size_list, "__len__") and not isinstance(hidden_size_list, (str, bytes))
    if not sized or not 1 <= len(hidden_size_list) <= max_layers:
        raise ConfigError("layers", f"hidden_size_list must be a list of 1 to {max_layers} sizes, "
                                    f"got {hidden_size_list!r}",
                          limit=max_layers, got=len(hidden_size_list) if sized else hidden_size_list)
    for name, value, choices in (("activation", activation, tuple(ACTIVATIONS)),
                                 ("weight_init", weight_init, WEIGHT_INITS),
                                 ("normalization", normalization, NORMALIZATIONS)):
        if not isinstance(value, str) or value not in choices:
            raise ConfigError("choice", f"{name} must be one of {choices}, got {value!r}",
                              name=name, got=value)
    if not (is_number(weight_init_std) and 0 < weight_init_std <= MAX_INIT_STD):
        raise ConfigError("init_std", f"weight_init_std must be in (0, {MAX_INIT_STD:g}], "
                                      f"got {weight_init_std!r}", got=weight_init_std)
    if not (is_number(weight_decay_lambda) and 0 <= weight_decay_lambda <= MAX_DECAY):
        raise ConfigError("weight_decay", f"weight_decay_lambda must be in [0, {MAX_DECAY:g}], "
                                          f"got {weight_decay_lambda!r}", got=weight_decay_lambda)
    if not (is_number(dropout_ratio) and 0 <= dropout_ratio <= MAX_DROPOUT):
        raise ConfigError("dropout", f"dropout_ratio must be in [0, {MAX_DROPOUT:g}], got {dropout_ratio!r}",
                          limit=MAX_DROPOUT, got=dropout_ratio)
    if not isinstance(residual, (bool, np.bool_)):
        raise ConfigError("choice", f"residual must be True or False, got {residual!r}",
                          name="residual", got=residual)
    sizes = [check_size("hidden size", h, max_units) for h in hidden_size_list]
    if residual and not residual_layers(sizes):
        raise ConfigError("residual", f"residual connections need two consecutive hidden layers of the same "
                                      f"size, got {sizes}", got=sizes)
    return {"input_size": check_size("input_size", input_size), "hidden_size_list": sizes,
            "output_size": check_size("output_size", output_size),
            "activation": activation, "weight_init": weight_init,
            "weight_init_std": float(weight_init_std), "weight_decay_lambda": float(weight_decay_lambda),
            "normalization": normalization, "dropout_ratio": float(dropout_ratio), "residual": bool(residual)}


def residual_layers(hidden_size_list):
    """The hidden layers (counted from 1) a residual network wraps in a skip connection:
    each one whose input has its size, so that ``x + F(x)`` adds like to like."""
    sizes = list(hidden_size_list)
    return [i for i in range(2, len(sizes) + 1) if sizes[i - 2] == sizes[i - 1]]


def param_shapes(input_size, hidden_size_list, output_size, normalization="none"):
    """``{'W1': (D_in, H1), 'b1': (H1,), ...}``: the arrays of a network of these sizes,
    in the order they are laid out. With a normalisation, each hidden layer ``i`` has a
    learnt scale and shift, ``gamma{i}`` and ``beta{i}`` (H_i,), after its bias."""
    sizes = [input_size, *hidden_size_list, output_size]
    shapes = {}
    for i in range(1, len(sizes)):
        shapes[f"W{i}"] = (sizes[i - 1], sizes[i])
        shapes[f"b{i}"] = (sizes[i],)
        if normalization != "none" and i < len(sizes) - 1:
            shapes[f"gamma{i}"] = shapes[f"beta{i}"] = (sizes[i],)
    return shapes


def stat_shapes(hidden_size_list, normalization="none"):
    """``{'running_mean1': (H1,), 'running_var1': (H1,), ...}``: what batch normalisation
    measures while training and uses at inference; not learnt, but saved with the model."""
    if normalization != "batch":
        return {}
    shapes = {}
    for i, h in enumerate(hidden_size_list, 1):
        shapes[f"running_mean{i}"] = shapes[f"running_var{i}"] = (h,)
    return shapes


def param_count(input_size, hidden_size_list, output_size, normalization="none"):
    """Number of learnt numbers (weights, biases, scales and shifts) of such a network."""
    return sum(int(np.prod(s)) for s in param_shapes(input_size, hidden_size_list, output_size,
                                                      normalization).values())


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


def initial_params(shapes, weight_init, weight_init_std=0.01, seed=None, dtype=np.float32):
    """A network's starting parameters: weights drawn at random and scaled by ``weight_init``
    (:func:`init_scale`), zero biases and shifts (``beta``), unit scales (``gamma``).

    Parameters
    ----------
    shapes : dict of tuple
        :func:`param_shapes`, in order: the weights are drawn in that order from ``seed``.
    """
    rng = np.random.default_rng(seed)
    params = {}
    for key, shape in shapes.items():
        if key.startswith("W"):
            scale = init_scale(weight_init, shape[0], weight_init_std)
            params[key] = (scale * rng.standard_normal(shape)).astype(dtype)
        else:
            params[key] = np.full(shape, float(key.startswith("gamma")), dtype=dtype)
    return params


def check_input(x, input_size, dtype):
    """``x`` as (N, input_size) of ``dtype`` (one row may come as (input_size,)), or a
    ValueError: a wrong shape, not numbers, NaN or infinity."""
    x = np.asarray(x)
    if x.ndim == 1:
        x = x.reshape(1, -1)
    if x.ndim != 2 or x.shape[1] != input_size:
        raise ValueError(f"x must have shape (N, {input_size}), got {x.shape}")
    if not np.issubdtype(x.dtype, np.number):
        raise ValueError(f"x must be numeric, got dtype {x.dtype}")
    x = x.astype(dtype, copy=False)
    if not np.all(np.isfinite(x)):
        raise ValueError("x contains NaN or infinite values")
    return x
