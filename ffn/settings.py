"""Training settings: one dataclass shared by the CLI and the app, its conversions and checks,
and the trainer it builds. The named runs a student starts from are :mod:`ffn.presets`."""
from dataclasses import asdict, dataclass, field, fields

import numpy as np

from .augment import Augment
from .mnist import IMG_SIZE, split_validation
from .architecture import (ACTIVATIONS, MAX_LAYERS, MAX_UNITS, NORMALIZATIONS, WEIGHT_INITS, ConfigError,
                           check_config, is_number)
from .network import MultiLayerNet
from .optimizers import OPTIMIZERS, make_optimizer
from .schedules import SCHEDULES
from .length import iters_per_epoch
from .trainer import Trainer

MNIST_TRAIN = 60000  # images in MNIST's training file, before the validation split
INPUT_SIZE, OUTPUT_SIZE = IMG_SIZE, 10  # a 28x28 image in, one score for each digit out

# The one table of choices: the app's menus, the CLI's --choices and the docs read it.
CHOICES = {
    "activation": tuple(ACTIVATIONS),
    "weight_init": WEIGHT_INITS,
    "optimizer": tuple(OPTIMIZERS),
    "lr_schedule": tuple(SCHEDULES),
    "normalization": NORMALIZATIONS,
}


# The settings whose one rule is low <= value < high: checked, and worded by a page, as one rule.
RANGES = {"momentum_beta": (0.0, 1.0)}


class SettingsError(ConfigError):
    """A setting out of range: ``code`` names the rule and ``values`` hold its numbers,
    so that a page can word it in its reader's language; ``str()`` is plain English."""


def _setting(default, help):
    """A field of :class:`TrainSettings`, with the command line's help for it."""
    return field(default=default, metadata={"help": help})


@dataclass
class TrainSettings:
    """Everything that defines a training run. Defaults are the article's; each field's
    ``metadata["help"]`` says what it sets (the command line's ``--help``)."""
    hidden_size: int = _setting(64, "H: hidden layers are H and H//2 (the article: 64)")
    depth: int = _setting(2, "hidden layers: depth-1 of H units, then H//2 (the article: 2)")
    hidden_size_list: tuple = _setting((), "explicit hidden sizes, e.g. 512 256 (overrides --hidden-size "
                                           "and --depth)")
    activation: str = _setting("relu", "activation of the hidden layers")
    weight_init: str = _setting("std", "std: a fixed std (the article's 0.01); he: sqrt(2/fan_in); "
                                       "xavier: sqrt(1/fan_in)")
    weight_init_std: float = _setting(0.01, "std of the initial weights with --weight-init std")
    optimizer: str = _setting("sgd", "update rule")
    momentum_beta: float = _setting(0.9, "momentum and nesterov only: the share of the last step kept in "
                                         "the next")
    learning_rate: float = _setting(0.01, "learning rate")
    lr_schedule: str = _setting("constant", "learning rate over the run")
    batch_size: int = _setting(200, "mini-batch size")
    iters: int = _setting(5000, "iterations (ignored when --epochs is set)")
    epochs: float = _setting(0.0, "passes over the training set (overrides --iters)")
    weight_decay: float = _setting(0.0, "L2 weight decay lambda")
    valid_ratio: float = _setting(0.1, "fraction held out for validation (the first ones, as in the article)")
    train_size: int = _setting(0, "use only this many training images (0 = all)")
    augment: bool = _setting(False, "randomly distort training batches (rotation, scale, shear, shift, "
                                    "stroke width)")
    normalization: str = _setting("none", "batch or layer normalisation after each hidden Affine, before "
                                          "its activation")
    dropout: float = _setting(0.0, "share of hidden units dropped at random while training (0 = none)")
    residual: bool = _setting(False, "skip connections x + F(x) around hidden layers of equal size")
    seed: int = _setting(0, "random seed (weights, batch order, augmentation, dropout)")

    def hidden_sizes(self):
        """The hidden layer sizes: ``hidden_size_list``, or ``depth - 1`` layers of H units
        then H // 2: the article's [H, H // 2] at depth 2, deeper with more layers of H."""
        if self.hidden_size_list:
            return [int(h) for h in self.hidden_size_list]
        return [int(self.hidden_size)] * (int(self.depth) - 1) + [int(self.hidden_size) // 2]

    def layer_sizes(self):
        """Every layer's size, input to output: ``[784, *hidden_sizes(), 10]``."""
        return [INPUT_SIZE, *self.hidden_sizes(), OUTPUT_SIZE]

    def net_config(self, input_size=INPUT_SIZE):
        """The network these settings train on inputs of ``input_size`` features, as
        :class:`ffn.MultiLayerNet`'s arguments (:data:`ffn.architecture.CONFIG_KEYS`, unchecked)."""
        return dict(input_size=input_size, hidden_size_list=self.hidden_sizes(), output_size=OUTPUT_SIZE,
                    activation=self.activation, weight_init=self.weight_init,
                    weight_init_std=self.weight_init_std, weight_decay_lambda=self.weight_decay,
                    normalization=self.normalization, dropout_ratio=self.dropout, residual=self.residual)

    def to_dict(self):
        """The settings as plain values (``hidden_size_list`` a list), for JSON or a model file."""
        d = asdict(self)
        d["hidden_size_list"] = list(self.hidden_size_list)
        return d

    @classmethod
    def from_dict(cls, d):
        """The settings :meth:`to_dict` wrote; a key left out takes its default (a model file
        saved before that setting existed), an unknown key is a ``ValueError``."""
        names = {f.name for f in fields(cls)}
        unknown = sorted(set(d) - names)
        if unknown:
            raise ValueError(f"unknown settings {unknown}; the settings are {sorted(names)}")
        values = dict(d)
        if "hidden_size_list" in values:
            values["hidden_size_list"] = tuple(values["hidden_size_list"])
        return cls(**values)


@dataclass(frozen=True)
class Limits:
    """Bounds on a run. The defaults are the library's own (the network's bounds); a
    caller may pass tighter ones, as the app does."""
    max_units: int = MAX_UNITS
    max_layers: int = MAX_LAYERS
    max_batch: int = MNIST_TRAIN
    max_iters: int = 1_000_000
    max_samples: int = 10**9   # iterations x batch size
    lr_range: tuple = (1e-6, 1e3)


CLI_LIMITS = Limits()


def train_count(s, n_available=MNIST_TRAIN):
    """Training images a run uses: what the validation split leaves, cut to ``train_size``."""
    return s.train_size or n_available - int(n_available * s.valid_ratio)


def run_length(s, n_available=MNIST_TRAIN):
    """The length of the run ``s`` describes, counted as the trainer counts it.

    Parameters
    ----------
    s : TrainSettings
    n_available : int
        Images in the training file, before the validation split.

    Returns
    -------
    iterations : int
    batch : int
        The batch size, cut to the training set's size.
    n_train : int
        Training images after the split and ``train_size``.
    epochs : float
    """
    n_train = train_count(s, n_available)
    iters = total_iters(s, n_train)
    return iters, min(s.batch_size, n_train), n_train, iters / iters_per_epoch(n_train, s.batch_size)


def run_metadata(trainer, s, accuracy, command):
    """What a saved model keeps about the run that made it (see :func:`ffn.save_model`).

    ``iterations`` counts those that made the weights: for a run that blew up, the
    iteration whose weights it went back to.
    """
    made = trainer.outcome[1]["kept"] if trainer.status == "diverged" else trainer.iteration
    return dict(test_accuracy=accuracy.get("test"), train_accuracy=accuracy["train"],
                valid_accuracy=accuracy.get("valid"), settings=s.to_dict(), command=command,
                iterations=made, status=trainer.status)


def eval_interval(total, per_epoch, evals_per_run):
    """Iterations between accuracy measurements: once an epoch, but at least
    ``evals_per_run`` and at most ``4 * evals_per_run`` times a run.

    A live chart wants more than a few points on a long-epoch run; a tiny training set,
    whose epoch is a single batch, must not be measured at every iteration.

    Parameters
    ----------
    total : int
        Iterations in the run.
    per_epoch : int
        Iterations in one epoch.
    evals_per_run : int

    Returns
    -------
    int
    """
    most = max(1, total // evals_per_run)
    least = max(1, total // (4 * evals_per_run))
    return int(min(max(per_epoch, least), most))


def total_iters(s, n_train):
    """Iterations the run will take on ``n_train`` training images."""
    if s.epochs and s.epochs > 0:
        return int(np.ceil(s.epochs * iters_per_epoch(n_train, s.batch_size)))
    return int(s.iters)


def check(s, limits=CLI_LIMITS, n_available=MNIST_TRAIN):
    """Raise :class:`SettingsError` (a ``ValueError``) naming the first setting out of
    range; return ``s`` otherwise. The network's settings are the network's checks
    (:func:`ffn.architecture.check_config`), within ``limits``' units and layers."""
    def need(ok, code, msg, **values):
        if not ok:
            raise SettingsError(code, msg, **values)
    depth_ok = isinstance(s.depth, (int, np.integer)) and 2 <= s.depth <= limits.max_layers
    need(bool(s.hidden_size_list) or depth_ok, "depth",
         f"depth must be between 2 and {limits.max_layers} hidden layers, got {s.depth!r}",
         limit=limits.max_layers, got=s.depth)
    try:
        check_config(**s.net_config(), max_units=limits.max_units, max_layers=limits.max_layers)
    except ConfigError as e:
        raise SettingsError(e.code, str(e), **e.values) from None
    for name in ("optimizer", "lr_schedule"):  # the network's own choices are checked with it
        value = getattr(s, name)
        need(value in CHOICES[name], "choice", f"{name} must be one of {list(CHOICES[name])}, got {value!r}",
             name=name, got=value)
    batch_norm = s.normalization == "batch"
    need(not batch_norm or s.batch_size >= 2, "batch_norm_batch",
         f"batch normalisation needs batches of at least 2 images, got {s.batch_size}", got=s.batch_size)
    lo, hi = limits.lr_range
    need(np.isfinite(s.learning_rate) and lo <= s.learning_rate <= hi, "learning_rate",
         f"learning rate must be in [{lo:g}, {hi:g}], got {s.learning_rate}",
         low=lo, high=hi, got=s.learning_rate)
    need(1 <= s.batch_size <= limits.max_batch, "batch_size",
         f"batch size must be in [1, {limits.max_batch}], got {s.batch_size}",
         limit=limits.max_batch, got=s.batch_size)
    need(0 <= s.valid_ratio <= 0.5, "valid_ratio",
         f"validation ratio must be in [0, 0.5], got {s.valid_ratio}", got=s.valid_ratio)
    n_after_valid = n_available - int(n_available * s.valid_ratio)
    need(0 <= s.train_size <= n_after_valid, "train_size",
         f"training-set size must be in [0, {n_after_valid}] (0 = all), got {s.train_size}",
         limit=n_after_valid, got=s.train_size)
    need(np.isfinite(s.epochs) and s.epochs >= 0, "epochs", f"epochs must be >= 0, got {s.epochs}",
         got=s.epochs)
    for name, (low, high) in RANGES.items():
        value = getattr(s, name)
        need(is_number(value) and low <= value < high, "range", f"{name} must be in [{low:g}, {high:g}), "
             f"got {value!r}", name=name, low=low, high=high, got=value)
    n_train = train_count(s, n_available)
    iters = total_iters(s, n_train)
    need(1 <= iters <= limits.max_iters, "iters",
         f"the run must have 1 to {limits.max_iters} iterations, got {iters}",
         limit=limits.max_iters, got=iters)
    samples = iters * min(s.batch_size, n_train)
    need(samples <= limits.max_samples, "samples",
         f"this run would process {samples:,} images; the limit here is {limits.max_samples:,} "
         f"(fewer iterations or a smaller batch)", limit=limits.max_samples, got=samples)
    return s


def build_trainer(s, x, t, limits=CLI_LIMITS, eval_size=5000, evals_per_run=None):
    """Check ``s`` and build the network, optimizer and trainer on MNIST arrays ``x``, ``t``.

    The validation set is the first ``valid_ratio`` of ``x`` (as in the article); the
    training set is the rest, cut to ``train_size`` if set. Arrays are views, not copies.
    Accuracy is measured once an epoch, or more often if ``evals_per_run`` asks for at
    least that many measurements over the run (a live chart wants more than a few points).
    """
    check(s, limits, n_available=len(x))
    (x_train, t_train), (x_valid, t_valid) = split_validation(x, t, s.valid_ratio)
    if s.train_size:
        x_train, t_train = x_train[:s.train_size], t_train[:s.train_size]
    net = MultiLayerNet(**s.net_config(input_size=x.shape[1]), seed=s.seed)
    optimizer = make_optimizer(s.optimizer, s.learning_rate, momentum=s.momentum_beta)
    run = {"epochs": s.epochs} if s.epochs else {"iters": s.iters}
    eval_every = None
    if evals_per_run:
        eval_every = eval_interval(total_iters(s, len(x_train)), iters_per_epoch(len(x_train), s.batch_size),
                                   evals_per_run)
    return Trainer(net, optimizer, x_train, t_train, x_valid, t_valid,
                   batch_size=s.batch_size, lr_schedule=s.lr_schedule, eval_size=eval_size,
                   eval_every=eval_every,
                   augment=Augment() if s.augment else None, seed=s.seed, **run)

