"""The page's words for what the library reports as codes and numbers.

The trainer reports why a run ended and its advice as ``(code, values)``, worded in
English by :mod:`ffn.notes`, whose sentences this catalogue translates; a settings
check fails with a :class:`ffn.settings.SettingsError` and a model file with a
:class:`ffn.model_io.ModelFileError`, each with a code. Here each code becomes a
sentence of the catalogue, in the session's language.
"""
from ffn import notes

from .fields import FIELD_NAMES
from .i18n import N_, _

# The notes' sentences are ffn.notes' (its English, this catalogue's translations); in a stall's
# the page says where to look, in place of the bare gradient figure.
_SEE_CHART = {
    notes.SMALL_GRADIENT: N_("The third chart, on “Gradient norm ‖dW‖”, shows why: layer 1's gradient norm "
                             "is only {grad1:.1e}."),
    notes.SMALL_GRADIENT_BEFORE: N_("The third chart, on “Gradient norm ‖dW‖”, shows why: while it "
                                    "stalled, layer 1's gradient norm was only {grad1:.1e}."),
}
_FULL_STOPS = ("。", "！", "？")  # a full-width stop needs no space after it

_SETTINGS = {
    "layers": N_("Use between 1 and {limit} hidden layers (you asked for {got})."),
    "units": N_("Each hidden layer may have at most {limit} units."),
    "choice": N_("That choice is not available here."),
    "init_std": N_("The initial weights' standard deviation must be between 0 and 10."),
    "learning_rate": N_("The learning rate must be between {low:g} and {high:g}."),
    "batch_size": N_("The batch size must be between 1 and {limit:,}."),
    "weight_decay": N_("The weight decay must be between 0 and 1."),
    "valid_ratio": N_("The validation ratio must be between 0 and 0.5."),
    "train_size": N_("The training set can have at most {limit:,} images after the validation split."),
    "epochs": N_("The number of epochs can't be negative."),
    "iters": N_("A run here has at most {limit:,} iterations (this one has {got:,})."),
    "depth": N_("Use between 2 and {limit} hidden layers."),
    "dropout": N_("The dropout ratio must be between 0 and {limit:g}."),
    "residual": N_("Residual connections add a layer's input to its output, so they need two hidden layers "
                   "of the same size: choose 3 or more hidden layers."),
    "batch_norm_batch": N_("Batch normalisation measures each unit over the batch: use batches of at least "
                           "2 images."),
    "samples": N_("This run would process {got:,} images; the limit here is {limit:,}. Choose fewer "
                  "iterations or a smaller batch."),
    # any setting of ffn.settings.RANGES
    "range": N_("The setting “{setting}” must be at least {low:g} and less than {high:g}."),
}

_MODEL_FILE = {
    "missing": N_("The file is missing."),
    "too_large": N_("The file is too large."),
    "not_a_model": N_("This is not a model saved by this app or by python -m ffn.train."),
    "unreadable": N_("The file is damaged: it could not be read."),
    "not_plain_numbers": N_("The file holds something other than plain 32- or 64-bit numbers."),
    "wrong_size": N_("This model takes {inputs:,} inputs and gives {outputs:,} outputs; reading a 28×28 "
                     "digit into ten classes needs 784 and 10."),
    "too_many_weights": N_("This model has {count:,} weights; this app accepts at most {limit:,}, twice "
                           "the largest network it can train."),
    "not_finite": N_("This model's weights are not finite numbers, or so large that its probabilities "
                     "overflow."),
}


def note(note):
    """A trainer's ``(code, values)`` note as sentences: :mod:`ffn.notes`' in this session's language."""
    said = notes.sentences(note, _)
    for i, sentence in enumerate(notes.messages(note)):
        if sentence in _SEE_CHART:
            said[i] = _(_SEE_CHART[sentence]).format(**note[1])
    return joined(*said)


def joined(*sentences):
    """Sentences as one text: a space after an English stop, none after a Chinese one (。)."""
    text = sentences[0]
    for sentence in sentences[1:]:
        text += sentence if text.endswith(_FULL_STOPS) else " " + sentence
    return text


def settings_error(error):
    """A :class:`ffn.settings.SettingsError` as a sentence."""
    values = error.values
    if error.code == "range":  # one sentence for every simple bound: it names the setting
        values = {**values, "setting": _(FIELD_NAMES[values["name"]])}
    return _(_SETTINGS[error.code]).format(**values)


def model_file_error(reason, values=None):
    """A :class:`ffn.model_io.ModelFileError`'s ``reason`` (and ``values``) as a sentence."""
    if reason not in _MODEL_FILE:
        reason, values = "unreadable", {}
    return _(_MODEL_FILE[reason]).format(**(values or {}))
