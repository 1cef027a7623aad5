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


def _check_size(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not 1 <= value <= MAX_UNITS:
        raise ValueError(f"{name} must be an integer in [1, {MAX_UNITS}], got {value!r}")
    return int(value)


def _is_number(v):
    if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
        return False
    try:
        return math.isfinite(v)  # an int too large for a float is not a sensible value either
    except OverflowError:
        return False


def check_config(input_size, hidden_size_list, output_size, activation="relu", weight_init="he",
                 weight_init_std=0.01, weight_decay_lambda=0.0, normalization="none", dropout_ratio=0.0,
                 residual=False):
    """Check a network's constructor arguments without building anything.

    Returns
    -------
    dict
        The arguments under :data:`CONFIG_KEYS`, sizes as ``int``.

    Raises
    ------
    ValueError
        Naming the first argument out of range and the value received.
    """
    if isinstance(hidden_size_list, (str, bytes)) or not hasattr(hidden_size_list, "__len__") \
            or not 1 <= len(hidden_size_list) <= MAX_LAYERS:
        raise ValueError(f"hidden_size_list must be a list of 1 to {MAX_LAYERS} sizes, got {hidden_size_list!r}")
    if not isinstance(activation, str) or activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {set(ACTIVATIONS)}, got {activation!r}")
    if not isinstance(weight_init, str) or weight_init not in WEIGHT_INITS:
        raise ValueError(f"weight_init must be one of {set(WEIGHT_INITS)}, got {weight_init!r}")
    if not (_is_number(weight_init_std) and 0 < weight_init_std <= MAX_INIT_STD):
        raise ValueError(f"weight_init_std must be in (0, {MAX_INIT_STD:g}], got {weight_init_std!r}")
    if not (_is_number(weight_decay_lambda) and 0 <= weight_decay_lambda <= MAX_DECAY):
        raise ValueError(f"weight_decay_lambda must be in [0, {MAX_DECAY:g}], got {weight_decay_lambda!r}")
    if not isinstance(normalization, str) or normalization not in NORMALIZATIONS:
        raise ValueError(f"normalization must be one of {NORMALIZATIONS}, got {normalization!r}")
    if not (_is_number(dropout_ratio) and 0 <= dropout_ratio <= MAX_DROPOUT):
        raise ValueError(f"dropout_ratio must be in [0, {MAX_DROPOUT:g}], got {dropout_ratio!r}")
    if not isinstance(residual, (bool, np.bool_)):
        raise ValueError(f"residual must be True or False, got {residual!r}")
    sizes = [_check_size("hidden size", h) for h in hidden_size_list]
    if residual and not residual_layers(sizes):
        raise ValueError(f"residual connections need two consecutive hidden layers of the same size, "
                         f"got {sizes}")
    return {"input_size": _check_size("input_size", input_size), "hidden_size_list": sizes,
            "output_size": _check_size("output_size", output_size),
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
