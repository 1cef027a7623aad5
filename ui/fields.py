"""The page's settings, one row each: the table the sidebar draws, and from which the
session's keys, a link's fields, the controls a lesson may hide and the names a comparison
of runs uses all derive. Beside it, the page's names for the presets and for the library's
choices, a setting's value as the page writes it, and runs named by what they changed.

A new setting of :class:`ffn.TrainSettings` reaches the page as one row of :data:`FIELDS`.
"""
from dataclasses import dataclass

from ffn.compare import differing_settings
from ffn.settings import CHOICES

from .i18n import N_, _
from .link_values import Choice, Flag, Integer, Steps
from .run import APP_LIMITS


@dataclass(frozen=True)
class Stops:
    """A ``select_slider`` over ``values``."""
    values: tuple

    def options(self, name):
        return self.values

    def allowed(self, name):
        return Choice(self.values)


@dataclass(frozen=True)
class Menu:
    """A ``selectbox`` over the library's choices for the setting, ``ffn.settings.CHOICES``."""

    def options(self, name):
        return CHOICES[name]

    def allowed(self, name):
        return Choice(CHOICES[name])


@dataclass(frozen=True)
class Number:
    """A ``number_input`` of whole numbers in [``low``, ``high``], its arrows moving by ``step``."""
    low: int
    high: int
    step: int

    def allowed(self, name):
        return Integer(self.low, self.high)


@dataclass(frozen=True)
class Slider:
    """A ``slider`` over [``low``, ``high``] in steps of ``step``."""
    low: float
    high: float
    step: float

    def allowed(self, name):
        return Steps(self.low, self.high, self.step)


@dataclass(frozen=True)
class Check:
    """A ``checkbox``."""

    def allowed(self, name):
        return Flag()


@dataclass(frozen=True)
class Field:
    """One setting as the page shows it.

    Attributes
    ----------
    name : str
        Its :class:`ffn.TrainSettings` field, which is also its session and widget key and
        its name in a link.
    widget : Stops, Menu, Number, Slider or Check
        Its control, with the values it offers.
    label : str
        The control's label, marked for the catalogue (translated where it is shown).
    short : str
        Its name in a comparison of runs ("learning rate = 0.1"), marked likewise.
    help : str or None
        The control's help, marked likewise.
    format : callable or None
        An option as the control shows it (a menu's labels; numbers as ``0.001``).
    hideable : bool
        Whether a lesson's link may hide the control (``hide=``).
    """
    name: str
    widget: object
    label: str
    short: str
    help: str | None = None
    format: object = None
    hideable: bool = True

    def allowed(self):
        """What a link may hold for it: a :mod:`ui.link_values` Choice, Integer, Steps or Flag."""
        return self.widget.allowed(self.name)


PRESET_LABEL = N_("Preset")
PRESET_LABELS = {"article": N_("Article's exact settings"),
                 "article_he": N_("Article's network, He init"),
                 "fast": N_("Fast and accurate"),
                 "deep_stuck": N_("Deep and stuck"),
                 "deep_bn": N_("Deep with batch norm"),
                 "overfit": N_("Small data, many passes")}
CHOICE_LABELS = {"std": N_("std 0.01 (article)"), "he": N_("He"), "xavier": N_("Xavier"),
                 "sgd": N_("SGD"), "momentum": N_("Momentum"), "nesterov": N_("Nesterov"),
                 "adagrad": N_("AdaGrad"), "rmsprop": N_("RMSprop"), "adam": N_("Adam"), "relu": N_("ReLU"),
                 "sigmoid": N_("Sigmoid"), "tanh": N_("Tanh"),
                 "constant": N_("constant"), "step": N_("step"), "cosine": N_("cosine"),
                 "none": N_("none"), "batch": N_("batch norm"), "layer": N_("layer norm")}


def _choice(value):
    return _(CHOICE_LABELS[value])


def _number(value):
    return f"{value:g}"


def _images(value):
    return _("all") if value == 0 else f"{value:,}"


# In the sidebar's order, which is also the order of a link's fields.
FIELDS = (
    Field("hidden_size", Stops((8, 16, 32, 64, 128, 256, 512)), N_("Hidden size H"), N_("H"),
          help=N_("How many neurons the first hidden layer has. A neuron adds up its inputs, each times "
                  "a weight, and passes the sum through the activation function.")),
    Field("depth", Stops((2, 3, 4, 5, 6)), N_("Hidden layers"), N_("hidden layers"),
          help=N_("2 is the article's network: H units, then H/2. Each more adds a layer of H units before "
                  "the last.")),
    Field("activation", Menu(), N_("Activation"), N_("activation"), format=_choice,
          help=N_("The function each hidden neuron applies to its sum. ReLU keeps a positive sum and turns "
                  "a negative one into 0; Sigmoid and Tanh squeeze it into a range, and saturate (go flat) "
                  "for large sums.")),
    Field("weight_init", Menu(), N_("Weight init"), N_("weight init"), format=_choice,
          help=N_("How large the random weights are at the start. Too small, and the signal fades through "
                  "the layers; He and Xavier scale them to the number of inputs.")),
    Field("optimizer", Menu(), N_("Optimizer"), N_("optimizer"), format=_choice,
          help=N_("The rule that moves the weights after each batch. SGD: against the gradient, by the "
                  "learning rate times it; the others also remember past steps.")),
    Field("momentum_beta", Stops((0.0, 0.5, 0.8, 0.9, 0.95, 0.99)), N_("Momentum β"), N_("momentum β"),
          format=_number,
          help=N_("For Momentum and Nesterov only: the share of the last step that each step keeps, so "
                  "steps gather speed down a steady slope and their zigzags cancel out. 0 is plain SGD.")),
    Field("learning_rate", Stops((1e-4, 3e-4, 1e-3, 2e-3, 3e-3, 4e-3, 8e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0, 3.0,
                                  10.0, 100.0)),
          N_("Learning rate"), N_("learning rate"), format=_number,
          help=N_("How big a step each weight takes against its gradient at each iteration. Too small "
                  "and learning crawls; too large and the loss blows up (diverges).")),
    Field("lr_schedule", Menu(), N_("Learning-rate schedule"), N_("schedule"), format=_choice,
          help=N_("Whether the learning rate stays the same or shrinks as the run goes on.")),
    Field("batch_size", Stops((16, 32, 64, 100, 128, 200, 256, 512, 1024)), N_("Batch size"),
          N_("batch size"),
          help=N_("A batch is the handful of training images one iteration learns from: the gradient is "
                  "averaged over them.")),
    Field("iters", Number(10, APP_LIMITS.max_iters, 100), N_("Iterations"), N_("iterations"),
          help=N_("An iteration is one step: a batch forward, the loss, backpropagation, and the weights "
                  "moved. An epoch is enough iterations to see every training image once.")),
    Field("weight_decay", Stops((0.0, 1e-5, 1e-4, 1e-3, 1e-2, 0.1)), N_("Weight decay (L2)"),
          N_("weight decay"), format=_number,
          help=N_("A regularisation against overfitting: each step also shrinks every weight a little, "
                  "so that the network keeps to small weights.")),
    Field("normalization", Menu(), N_("Normalisation"), N_("normalisation"), format=_choice,
          help=N_("Rescales each hidden layer's sums before the activation. Batch norm: to mean 0 and "
                  "variance 1 over the batch while training, with running averages at prediction. "
                  "Layer norm: over each image's units, the same at training and prediction.")),
    Field("dropout", Stops((0.0, 0.1, 0.2, 0.3, 0.5)), N_("Dropout"), N_("dropout"), format=_number,
          help=N_("While training, each hidden unit is switched off with this probability, so "
                  "that none can rely on another; at prediction every unit works.")),
    Field("residual", Check(), N_("Residual connections"), N_("residual"),
          help=N_("Each hidden layer whose input has its size adds that input to its output, "
                  "x + F(x): the gradient then has a path back that skips the layer.")),
    Field("valid_ratio", Slider(0.0, 0.3, 0.05), N_("Validation ratio"), N_("validation ratio"),
          help=N_("The first part of the training set is held out, as in the article: the validation "
                  "set, images the network never trains on, which tell how well it reads new digits.")),
    Field("train_size", Stops((1000, 2000, 5000, 10000, 20000, 0)), N_("Training-set size"),
          N_("training-set size"), format=_images,
          help=N_("How many images it trains on. With few images and many iterations it learns them by "
                  "heart: overfitting, training accuracy far above validation accuracy.")),
    Field("augment", Check(), N_("Augment (distort each batch)"), N_("augment"),
          help=N_("Random rotation, scaling, shear, shift and stroke width: slower, but "
                  "the network then reads drawn digits better.")),
    Field("seed", Number(0, 2**31 - 1, 1), N_("Random seed"), N_("seed"),
          help=N_("The number the random starting weights and the batches' order come from: the same "
                  "seed and settings give the same run, to the last digit.")),
)
SETTING_KEYS = tuple(f.name for f in FIELDS)  # the session's keys of the sidebar's settings
HIDEABLE = ("preset", *(f.name for f in FIELDS if f.hideable))  # what a link's hide= may name
CONTROL_LABELS = {"preset": PRESET_LABEL, **{f.name: f.label for f in FIELDS}}
# Every TrainSettings field by its short name: the sidebar's, and those only the CLI sets.
FIELD_NAMES = {**{f.name: f.short for f in FIELDS}, "hidden_size_list": N_("hidden layers"),
               "weight_init_std": N_("init std"), "epochs": N_("epochs")}


def value_text(s, field):
    """A setting's value as the labels show it: stable identifiers and plain numbers."""
    v = getattr(s, field)
    if field == "weight_init" and v == "std":
        return f"std {s.weight_init_std:g}"
    if isinstance(v, str) and v in CHOICE_LABELS:  # as the sidebar names it: "ReLU", "Adam", "cosine"
        return _(CHOICE_LABELS[v])
    if isinstance(v, bool):
        return _("on") if v else _("off")
    if field == "train_size" and v == 0:
        return _("all")
    if isinstance(v, float):
        return f"{v:g}"
    if isinstance(v, tuple):
        return "-".join(map(str, v)) or _("from H")
    return str(v)


def run_labels(kept):
    """``{number: label}``: each run named by the settings in which the runs differ, for
    example "activation = sigmoid"; "run N" when they differ in nothing."""
    fields = differing_settings([k.settings for k in kept])
    if "weight_init_std" in fields and "weight_init" in fields:
        fields.remove("weight_init_std")  # "weight init = std 0.01" says it
    labels = {}
    for k in kept:
        parts = [f"{_(FIELD_NAMES[f])} = {value_text(k.settings, f)}" for f in fields]
        labels[k.number] = _(", ").join(parts) if parts else _("run {n}").format(n=k.number)
    if len(set(labels.values())) < len(labels):  # the same settings twice: number them
        labels = {n: _("{name} ({detail})").format(name=_("run {n}").format(n=n), detail=label) if fields
                  else _("run {n}").format(n=n)
                  for n, label in labels.items()}
    return labels, fields
