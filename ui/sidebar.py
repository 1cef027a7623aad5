"""The sidebar: a preset and every hyperparameter of the run."""
import streamlit as st

from ffn.presets import PRESETS
from ffn.settings import CHOICES, SettingsError, check, run_length

from . import i18n, state
from .i18n import LANGUAGE_NAMES, N_, _, labels
from .run import APP_LIMITS
from .wording import settings_error

PRESET_LABELS = {"article": N_("Article's exact settings"),
                 "article_he": N_("Article's network, He init"),
                 "fast": N_("Fast and accurate"),
                 "deep_stuck": N_("Deep and stuck"),
                 "deep_bn": N_("Deep with batch norm")}
# The stops of the sliders; the menus' choices are the library's table, ffn.settings.CHOICES.
STOPS = {
    "hidden_size": [8, 16, 32, 64, 128, 256, 512],
    "learning_rate": [1e-4, 3e-4, 1e-3, 2e-3, 3e-3, 4e-3, 8e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0, 3.0, 10.0, 100.0],
    "batch_size": [16, 32, 64, 100, 128, 200, 256, 512, 1024],
    "weight_decay": [0.0, 1e-5, 1e-4, 1e-3, 1e-2, 0.1],
    "train_size": [1000, 2000, 5000, 10000, 20000, 0],
    "depth": [2, 3, 4, 5, 6],
    "dropout": [0.0, 0.1, 0.2, 0.3, 0.5],
}
CHOICE_LABELS = {"std": N_("std 0.01 (article)"), "he": N_("He"), "xavier": N_("Xavier"),
                 "sgd": N_("SGD"), "momentum": N_("Momentum"), "nesterov": N_("Nesterov"),
                 "adagrad": N_("AdaGrad"), "rmsprop": N_("RMSprop"), "adam": N_("Adam"), "relu": N_("ReLU"),
                 "sigmoid": N_("Sigmoid"), "tanh": N_("Tanh"),
                 "constant": N_("constant"), "step": N_("step"), "cosine": N_("cosine"),
                 "none": N_("none"), "batch": N_("batch norm"), "layer": N_("layer norm")}
FIELD_NAMES = {
    "hidden_size": N_("H"), "hidden_size_list": N_("hidden layers"), "activation": N_("activation"),
    "weight_init": N_("weight init"), "weight_init_std": N_("init std"), "optimizer": N_("optimizer"),
    "learning_rate": N_("learning rate"), "lr_schedule": N_("schedule"), "batch_size": N_("batch size"),
    "iters": N_("iterations"), "epochs": N_("epochs"), "weight_decay": N_("weight decay"),
    "valid_ratio": N_("validation ratio"), "train_size": N_("training-set size"), "augment": N_("augment"),
    "seed": N_("seed"), "depth": N_("hidden layers"), "normalization": N_("normalisation"),
    "dropout": N_("dropout"), "residual": N_("residual"),
}
CONTROL_LABELS = {  # the sidebar's controls by setting, as they are labelled (and named in a lesson's hide list)
    "preset": N_("Preset"),
    "hidden_size": N_("Hidden size H"),
    "depth": N_("Hidden layers"),
    "activation": N_("Activation"),
    "weight_init": N_("Weight init"),
    "optimizer": N_("Optimizer"),
    "learning_rate": N_("Learning rate"),
    "lr_schedule": N_("Learning-rate schedule"),
    "batch_size": N_("Batch size"),
    "iters": N_("Iterations"),
    "weight_decay": N_("Weight decay (L2)"),
    "normalization": N_("Normalisation"),
    "dropout": N_("Dropout"),
    "residual": N_("Residual connections"),
    "valid_ratio": N_("Validation ratio"),
    "train_size": N_("Training-set size"),
    "augment": N_("Augment (distort each batch)"),
    "seed": N_("Random seed"),
}
assert set(PRESET_LABELS) == set(PRESETS)
assert {c for choices in CHOICES.values() for c in choices} <= set(CHOICE_LABELS)


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


def _number(value):
    return f"{value:g}"


def _changed():
    hidden = set(st.session_state.lesson.hide) if "lesson" in st.session_state else set()
    changed = [k for k in state.changed_from_preset() if k not in hidden]  # what the student changed
    if changed:
        st.sidebar.caption(_("Changed from the preset: {fields}.").format(
            fields=_(", ").join(_(FIELD_NAMES[k]) for k in changed)))


def render():
    """Draw the sidebar; return ``(settings, error)``, the error worded, or None. The controls a
    lesson link hides are left out; their values apply all the same."""
    sb = st.sidebar
    choice = labels(CHOICE_LABELS)  # the menus' options as this run's language names them
    hidden = set(st.session_state.lesson.hide) if "lesson" in st.session_state else set()
    sb.selectbox(_("Language"), list(i18n.LANGUAGES), format_func={k: LANGUAGE_NAMES.get(k, k) for k in i18n.LANGUAGES}.get,
                 key="lang",
                 help=_("The page's language. Changing it keeps the open tab, every setting, the run and the drawing."))
    sb.header(_("Hyperparameters"))
    controls = {
        "preset": lambda: sb.selectbox(
            _(CONTROL_LABELS["preset"]), list(PRESET_LABELS), format_func=labels(PRESET_LABELS), key="preset",
            on_change=state.apply_preset,
            help=_("The article's exact settings stall near 20-30 % accuracy: try them, "
                   "then switch to He init to see why initialisation matters. “Deep and stuck” "
                   "stacks five Sigmoid layers of tiny weights and stays at chance (11 %, on the test "
                   "set after 4 epochs); “Deep with batch norm” is the same network with batch "
                   "normalisation, and reaches about 95 %. Train one, then the other: the run "
                   "comparison overlays them.")),
        "changed": _changed,
        "hidden_size": lambda: sb.select_slider(_(CONTROL_LABELS["hidden_size"]), STOPS["hidden_size"], key="hidden_size"),
        "depth": lambda: sb.select_slider(
            _(CONTROL_LABELS["depth"]), STOPS["depth"], key="depth",
            help=_("2 is the article's network: H units, then H/2. Each more adds a layer of H units before the last.")),
        "activation": lambda: sb.selectbox(_(CONTROL_LABELS["activation"]), CHOICES["activation"], format_func=choice, key="activation"),
        "weight_init": lambda: sb.selectbox(_(CONTROL_LABELS["weight_init"]), CHOICES["weight_init"], format_func=choice,
                                            key="weight_init"),
        "optimizer": lambda: sb.selectbox(_(CONTROL_LABELS["optimizer"]), CHOICES["optimizer"], format_func=choice, key="optimizer"),
        "learning_rate": lambda: sb.select_slider(_(CONTROL_LABELS["learning_rate"]), STOPS["learning_rate"], key="learning_rate",
                                                  format_func=_number),
        "lr_schedule": lambda: sb.selectbox(_(CONTROL_LABELS["lr_schedule"]), CHOICES["lr_schedule"], format_func=choice,
                                            key="lr_schedule"),
        "batch_size": lambda: sb.select_slider(_(CONTROL_LABELS["batch_size"]), STOPS["batch_size"], key="batch_size"),
        "iters": lambda: sb.number_input(_(CONTROL_LABELS["iters"]), min_value=10, max_value=APP_LIMITS.max_iters, step=100,
                                         key="iters"),
        "weight_decay": lambda: sb.select_slider(_(CONTROL_LABELS["weight_decay"]), STOPS["weight_decay"], key="weight_decay",
                                                 format_func=_number),
        "normalization": lambda: sb.selectbox(
            _(CONTROL_LABELS["normalization"]), CHOICES["normalization"], format_func=choice, key="normalization",
            help=_("Rescales each hidden layer's sums before the activation. Batch norm: to mean 0 and "
                   "variance 1 over the batch while training, with running averages at prediction. "
                   "Layer norm: over each image's units, the same at training and prediction.")),
        "dropout": lambda: sb.select_slider(
            _(CONTROL_LABELS["dropout"]), STOPS["dropout"], key="dropout", format_func=_number,
            help=_("While training, each hidden unit is switched off with this probability, so "
                   "that none can rely on another; at prediction every unit works.")),
        "residual": lambda: sb.checkbox(
            _(CONTROL_LABELS["residual"]), key="residual",
            help=_("Each hidden layer whose input has its size adds that input to its output, "
                   "x + F(x): the gradient then has a path back that skips the layer.")),
        "valid_ratio": lambda: sb.slider(_(CONTROL_LABELS["valid_ratio"]), 0.0, 0.3, step=0.05, key="valid_ratio",
                                         help=_("The first part of the training set is held out, as in the article.")),
        "train_size": lambda: sb.select_slider(_(CONTROL_LABELS["train_size"]), STOPS["train_size"], key="train_size",
                                               format_func={v: _("all") if v == 0 else f"{v:,}"
                                                            for v in STOPS["train_size"]}.get),
        "augment": lambda: sb.checkbox(
            _(CONTROL_LABELS["augment"]), key="augment",
            help=_("Random rotation, scaling, shear, shift and stroke width: slower, but "
                   "the network then reads drawn digits better.")),
        "seed": lambda: sb.number_input(_(CONTROL_LABELS["seed"]), min_value=0, max_value=2**31 - 1, step=1, key="seed"),
    }
    if hidden:  # at the top, where a student looks first: what the lesson set, and to what
        now = state.settings()
        sb.caption(_("Set by the lesson, and hidden: {fields}.").format(fields=_(", ").join(
            _(CONTROL_LABELS[k]) + ("" if k == "preset" else " = " + value_text(now, k)) for k in controls if k in hidden)))
    for key, draw in controls.items():
        if key not in hidden:
            draw()
    s = state.settings()
    try:
        check(s, APP_LIMITS)
    except SettingsError as e:
        error = settings_error(e)
        sb.error(_("These settings can't run here: {reason}").format(reason=error))
        return s, error
    iters, batch, n_train, epochs = run_length(s)
    sb.caption(_("Layers {shape}. {iters:,} iterations of {batch:,} images = {epochs:.1f} epochs of {n:,} "
                 "images.").format(shape=" → ".join(map(str, s.layer_sizes())),
                                   iters=iters, batch=batch, epochs=epochs, n=n_train))
    return s, None
