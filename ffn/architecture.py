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
CONFIG_KEYS = ("input_size", "hidden_size_list", "output_size", "activation", "weight_init",
               "weight_init_std", "weight_decay_lambda")  # what config() returns and a model file keeps


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
                 weight_init_std=0.01, weight_decay_lambda=0.0):
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
    return {"input_size": _check_size("input_size", input_size),
            "hidden_size_list": [_check_size("hidden size", h) for h in hidden_size_list],
            "output_size": _check_size("output_size", output_size),
            "activation": activation, "weight_init": weight_init,
            "weight_init_std": float(weight_init_std), "weight_decay_lambda": float(weight_decay_lambda)}


def param_shapes(input_size, hidden_size_list, output_size):
    """``{'W1': (D_in, H1), 'b1': (H1,), ...}``: the arrays of a network of these sizes."""
    sizes = [input_size, *hidden_size_list, output_size]
    shapes = {}
    for i in range(1, len(sizes)):
        shapes[f"W{i}"] = (sizes[i - 1], sizes[i])
        shapes[f"b{i}"] = (sizes[i],)
    return shapes


def param_count(input_size, hidden_size_list, output_size):
    """Number of weights and biases of a network of these sizes."""
    return sum(int(np.prod(s)) for s in param_shapes(input_size, hidden_size_list, output_size).values())


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
