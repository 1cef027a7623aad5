"""The trainer's notes in plain English: the one source of their words.

The trainer words nothing: it reports why a run ended, and what advice it has, as a
code and numbers (``Trainer.outcome``, ``Trainer.advice``). Here each code has its
sentences, in English. The command line prints them (:func:`describe`); the app's
catalogue translates the same sentences (``N_`` marks them for ``pybabel extract``) and
adds its own pointer to the chart that shows a stall.
"""
import math


def N_(message):
    """Mark ``message`` for the app's catalogue; it is the English, used as it is here."""
    return message


STALLED = N_("The loss is still {loss:.2f} after {iteration:,} iterations, close to ln {classes} = "
             "{guess_loss:.2f}, the loss of guessing all {classes} digits equally. The network is stalled.")
SMALL_GRADIENT = N_("Layer 1's gradient norm is only {grad1:.1e}.")
# once a stalled run has clearly begun to learn (ffn.stall): what happened, then the same why
STALL_ENDED = N_("It stalled near ln {classes} = {guess_loss:.2f}, the loss of guessing all {classes} digits "
                 "equally, and began to learn only at iteration {began:,}. The loss is now {loss:.2f}.")
SMALL_GRADIENT_BEFORE = N_("While it stalled, layer 1's gradient norm was only {grad1:.1e}.")
WHY = {  # a stall's cause -> what explains it, and what to try
    "": N_("With tiny initial weights the signal shrinks through each layer, and so does the "
           "gradient on its way back: every layer's gradient is tiny, and the weights barely move. "
           "Start the same network with He initialisation and its layer-1 gradient is hundreds of "
           "times larger. Try He initialisation, or a larger learning rate."),
    "_deep": N_("With tiny initial weights the signal shrinks through each of the many layers, and "
                "so does the gradient on its way back. Batch normalisation rescales each layer's "
                "sums to mean 0 and variance 1, whatever the weights' size: try it, or He "
                "initialisation."),
    "_scaled": N_("Its initial weights are already scaled to each layer's size, so the learning "
                  "rate or the activation holds it back: try a larger learning rate, Adam, or "
                  "ReLU."),
}

NOTES = {  # code -> its sentences, in order
    "finished": (N_("Finished {iterations:,} iterations ({epochs:.1f} epochs)."),),
    "stopped": (N_("Stopped by you at iteration {iteration:,} of {total:,}."),),
    "diverged": (N_("The loss {what} at iteration {iteration:,}: the steps were too large and the weights "
                    "ran away. Lower the learning rate (it is {lr:g}) and train again. The weights from "
                    "iteration {kept:,} are kept."),),
    # a stall (ffn.stall): while it lasts, and once the run has begun to learn after it
    **{"stalled" + cause: (STALLED, SMALL_GRADIENT, why) for cause, why in WHY.items()},
    **{"stall_ended" + cause: (STALL_ENDED, SMALL_GRADIENT_BEFORE, why) for cause, why in WHY.items()},
}
DIVERGED = {"nan": N_("became NaN"), "inf": N_("became infinite"), "large": N_("blew up to {loss:.3g}")}


def messages(note):
    """The sentences of a note ``(code, values)`` before they are filled in, in order: those of
    its code, less the gradient's when no gradient was measured (``grad1`` NaN)."""
    code, values = note
    if code not in NOTES:
        raise ValueError(f"unknown note code {code!r}")
    grad = values.get("grad1")
    unmeasured = grad is not None and not math.isfinite(grad)
    return [m for m in NOTES[code] if not (unmeasured and m in (SMALL_GRADIENT, SMALL_GRADIENT_BEFORE))]


def sentences(note, translate=N_):
    """The sentences of a note ``(code, values)`` of :attr:`Trainer.outcome` or
    :attr:`Trainer.advice`, each passed through ``translate`` (a catalogue's ``gettext``;
    English by default), then filled in with the note's numbers.

    Raises
    ------
    ValueError
        For a code that has no sentences.
    """
    code, values = note
    said = messages(note)
    if code == "diverged":
        values = {**values, "what": translate(DIVERGED[values["how"]]).format(**values)}
    return [translate(message).format(**values) for message in said]


def describe(note):
    """Plain English for a note ``(code, values)``: the command line's wording."""
    return " ".join(sentences(note))
