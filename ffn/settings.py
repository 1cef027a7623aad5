"""Training settings: one dataclass shared by the CLI and the app, its checks and presets."""
from dataclasses import asdict, dataclass, replace

import numpy as np

from .augment import Augment
from .mnist import split_validation
from .architecture import (ACTIVATIONS, MAX_DECAY, MAX_DROPOUT, MAX_INIT_STD, MAX_LAYERS, MAX_UNITS, NORMALIZATIONS,
                           WEIGHT_INITS, residual_layers)
from .network import MultiLayerNet
from .optimizers import OPTIMIZERS, make_optimizer
from .schedules import SCHEDULES
from .trainer import Trainer, iters_per_epoch

MNIST_TRAIN = 60000  # images in MNIST's training file, before the validation split

# The one table of choices: the app's menus, the CLI's --choices and the docs read it.
CHOICES = {
    "activation": tuple(ACTIVATIONS),
    "weight_init": WEIGHT_INITS,
    "optimizer": tuple(OPTIMIZERS),
    "lr_schedule": tuple(SCHEDULES),
    "normalization": NORMALIZATIONS,
}


class SettingsError(ValueError):
    """A setting out of range: ``code`` names the rule and ``values`` hold its numbers,
    so that a page can word it in its reader's language; ``str()`` is plain English."""

    def __init__(self, code, message, **values):
        super().__init__(message)
        self.code, self.values = code, values


@dataclass
class TrainSettings:
    """Everything that defines a training run. Defaults are the article's."""
    hidden_size: int = 64                 # H: the article's net is 784 -> H -> H//2 -> 10
    depth: int = 2                        # hidden layers: depth - 1 of H units, then H//2
    hidden_size_list: tuple = ()          # explicit hidden sizes; overrides hidden_size and depth
    activation: str = "relu"              # CHOICES["activation"]
    weight_init: str = "std"              # CHOICES["weight_init"]; std is the article's 0.01
    weight_init_std: float = 0.01
    optimizer: str = "sgd"                # CHOICES["optimizer"]
    learning_rate: float = 0.01
    lr_schedule: str = "constant"         # CHOICES["lr_schedule"]
    batch_size: int = 200
    iters: int = 5000                     # length of the run, unless epochs is set
    epochs: float = 0.0                   # > 0: run this many passes instead of iters
    weight_decay: float = 0.0             # L2 lambda
    valid_ratio: float = 0.1              # the first 10 % held out, as in the article
    train_size: int = 0                   # 0: all remaining training images
    augment: bool = False                 # random distortions of each batch
    normalization: str = "none"           # CHOICES["normalization"]: none, batch or layer
    dropout: float = 0.0                  # share of hidden units dropped while training
    residual: bool = False                # x + F(x) around hidden layers of equal size
    seed: int = 0

    def hidden_sizes(self):
        """The hidden layer sizes: ``hidden_size_list``, or ``depth - 1`` layers of H units
        then H // 2: the article's [H, H // 2] at depth 2, deeper with more layers of H."""
        if self.hidden_size_list:
            return [int(h) for h in self.hidden_size_list]
        return [int(self.hidden_size)] * (int(self.depth) - 1) + [int(self.hidden_size) // 2]

    def to_dict(self):
        d = asdict(self)
        d["hidden_size_list"] = list(self.hidden_size_list)
        return d


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
    range; return ``s`` otherwise."""
    def need(ok, code, msg, **values):
        if not ok:
            raise SettingsError(code, msg, **values)
    need(bool(s.hidden_size_list) or isinstance(s.depth, (int, np.integer)) and 2 <= s.depth <= limits.max_layers, "depth",
         f"depth must be between 2 and {limits.max_layers} hidden layers, got {s.depth!r}",
         limit=limits.max_layers, got=s.depth)
    sizes = s.hidden_sizes()
    need(1 <= len(sizes) <= limits.max_layers, "layers",
         f"between 1 and {limits.max_layers} hidden layers, got {len(sizes)}", limit=limits.max_layers, got=len(sizes))
    need(all(1 <= h <= limits.max_units for h in sizes), "units",
         f"hidden sizes must be in [1, {limits.max_units}], got {sizes}", limit=limits.max_units, got=sizes)
    for name in CHOICES:
        need(getattr(s, name) in CHOICES[name], "choice",
             f"{name} must be one of {list(CHOICES[name])}, got {getattr(s, name)!r}", name=name, got=getattr(s, name))
    need(_real(s.dropout) and 0 <= s.dropout <= MAX_DROPOUT, "dropout",
         f"dropout must be in [0, {MAX_DROPOUT:g}], got {s.dropout!r}", limit=MAX_DROPOUT, got=s.dropout)
    need(isinstance(s.residual, (bool, np.bool_)), "choice", f"residual must be True or False, got {s.residual!r}",
         name="residual", got=s.residual)
    need(not s.residual or bool(residual_layers(sizes)), "residual",
         f"residual connections need two hidden layers of the same size, got {sizes}", got=sizes)
    batch_norm = s.normalization == "batch"
    need(not batch_norm or s.batch_size >= 2, "batch_norm_batch",
         f"batch normalisation needs batches of at least 2 images, got {s.batch_size}", got=s.batch_size)
    need(np.isfinite(s.weight_init_std) and 0 < s.weight_init_std <= MAX_INIT_STD, "init_std",
         f"weight_init_std must be in (0, {MAX_INIT_STD:g}], got {s.weight_init_std}", got=s.weight_init_std)
    lo, hi = limits.lr_range
    need(np.isfinite(s.learning_rate) and lo <= s.learning_rate <= hi, "learning_rate",
         f"learning rate must be in [{lo:g}, {hi:g}], got {s.learning_rate}", low=lo, high=hi, got=s.learning_rate)
    need(1 <= s.batch_size <= limits.max_batch, "batch_size",
         f"batch size must be in [1, {limits.max_batch}], got {s.batch_size}", limit=limits.max_batch, got=s.batch_size)
    need(np.isfinite(s.weight_decay) and 0 <= s.weight_decay <= MAX_DECAY, "weight_decay",
         f"weight decay must be in [0, {MAX_DECAY:g}], got {s.weight_decay}", got=s.weight_decay)
    need(0 <= s.valid_ratio <= 0.5, "valid_ratio", f"validation ratio must be in [0, 0.5], got {s.valid_ratio}",
         got=s.valid_ratio)
    n_after_valid = n_available - int(n_available * s.valid_ratio)
    need(0 <= s.train_size <= n_after_valid, "train_size",
         f"training-set size must be in [0, {n_after_valid}] (0 = all), got {s.train_size}",
         limit=n_after_valid, got=s.train_size)
    need(np.isfinite(s.epochs) and s.epochs >= 0, "epochs", f"epochs must be >= 0, got {s.epochs}", got=s.epochs)
    n_train = train_count(s, n_available)
    iters = total_iters(s, n_train)
    need(1 <= iters <= limits.max_iters, "iters",
         f"the run must have 1 to {limits.max_iters} iterations, got {iters}", limit=limits.max_iters, got=iters)
    samples = iters * min(s.batch_size, n_train)
    need(samples <= limits.max_samples, "samples",
         f"this run would process {samples:,} images; the limit here is {limits.max_samples:,} "
         f"(fewer iterations or a smaller batch)", limit=limits.max_samples, got=samples)
    return s


def _real(v):
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool) and bool(np.isfinite(v))


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
    net = MultiLayerNet(x.shape[1], s.hidden_sizes(), 10, activation=s.activation,
                        weight_init=s.weight_init, weight_init_std=s.weight_init_std,
                        weight_decay_lambda=s.weight_decay, normalization=s.normalization,
                        dropout_ratio=s.dropout, residual=bool(s.residual), seed=s.seed)
    optimizer = make_optimizer(s.optimizer, s.learning_rate)
    run = {"epochs": s.epochs} if s.epochs else {"iters": s.iters}
    eval_every = None
    if evals_per_run:
        eval_every = eval_interval(total_iters(s, len(x_train)), iters_per_epoch(len(x_train), s.batch_size),
                                   evals_per_run)
    return Trainer(net, optimizer, x_train, t_train, x_valid, t_valid,
                   batch_size=s.batch_size, lr_schedule=s.lr_schedule, eval_size=eval_size,
                   eval_every=eval_every,
                   augment=Augment() if s.augment else None, seed=s.seed, **run)


PRESETS = {
    # The article's exact settings: they stall at 20-30 % (tiny weights through 3 layers).
    "article": TrainSettings(),
    # The same network and optimizer with weights scaled to the layer size: it learns.
    "article_he": TrainSettings(weight_init="he", learning_rate=0.1),
    # Wider, Adam with a cosine schedule: 98 % on MNIST test in about two seconds. Tuned
    # on the validation split with seeds 10-12 (bench/tune_fast.py), never on the test set.
    "fast": TrainSettings(hidden_size=256, weight_init="he", optimizer="adam",
                          learning_rate=8e-3, lr_schedule="cosine", batch_size=256,
                          epochs=4),
    # Five Sigmoid layers of tiny weights (std 0.01) and plain SGD: the signal, and so the
    # gradient, shrinks at every layer, and the run stays at chance (11 % on MNIST test).
    "deep_stuck": TrainSettings(hidden_size=128, depth=5, activation="sigmoid", weight_init="std",
                                learning_rate=0.3, batch_size=100, epochs=4),
    # The same network with batch normalisation: each layer's sums are rescaled to mean 0 and
    # variance 1 whatever the weights' size, so the gradient gets through: 95 % in 4 epochs.
    "deep_bn": TrainSettings(hidden_size=128, depth=5, activation="sigmoid", weight_init="std",
                             learning_rate=0.3, batch_size=100, epochs=4, normalization="batch"),
}


def preset(name, **changes):
    """A copy of a preset, optionally with some settings changed."""
    if name not in PRESETS:
        raise ValueError(f"preset must be one of {sorted(PRESETS)}, got {name!r}")
    return replace(PRESETS[name], **changes)
