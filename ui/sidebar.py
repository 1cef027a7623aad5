"""The sidebar: the language, a preset and every hyperparameter of the run, drawn from the
table of settings (:mod:`ui.fields`)."""
import streamlit as st

from ffn.settings import SettingsError, check, run_length

from . import i18n, state
from .fields import (CONTROL_LABELS, FIELD_NAMES, FIELDS, HIDEABLE, PRESET_LABEL, PRESET_LABELS, Check, Menu,
                     Number, Slider, Stops, value_text)
from .i18n import LANGUAGE_NAMES, _, labels
from .layout import BEGINNER_FIELDS, LEVELS, beginner
from .run import APP_LIMITS
from .wording import settings_error


def _hidden():
    """The controls the session's lesson link hides, and those the guided lesson's step hides."""
    hidden = set(st.session_state.lesson.hide) if "lesson" in st.session_state else set()
    return hidden | set(st.session_state.get("guide_hide", ()))


def _changed(sb, hidden):
    changed = [k for k in state.changed_from_preset() if k not in hidden]  # what the student changed
    if changed:
        sb.caption(_("Changed from the preset: {fields}.").format(
            fields=_(", ").join(_(FIELD_NAMES[k]) for k in changed)))


def _preset(sb):
    sb.selectbox(_(PRESET_LABEL), list(PRESET_LABELS), format_func=labels(PRESET_LABELS), key="preset",
                 on_change=state.apply_preset,
                 help=_("The article's exact settings stall near 20-30 % accuracy: try them, "
                        "then switch to He init to see why initialisation matters. “Deep and stuck” "
                        "stacks five Sigmoid layers of tiny weights and stays at chance (11 %, on the test "
                        "set after 4 epochs); “Deep with batch norm” is the same network with batch "
                        "normalisation, and reaches about 95 %. Train one, then the other: the run "
                        "comparison overlays them."))


def _control(sb, field):
    """A setting's control, as its row in :data:`ui.fields.FIELDS` describes it."""
    w, label = field.widget, _(field.label)
    kw = dict(key=field.name, help=_(field.help) if field.help else None)
    if isinstance(w, (Stops, Menu)):
        options = list(w.options(field.name))
        # the shown options made now, in this run's language (the test harness calls it again later)
        shown = {v: field.format(v) for v in options}.get if field.format else str
        draw = sb.select_slider if isinstance(w, Stops) else sb.selectbox
        draw(label, options, format_func=shown, **kw)
    elif isinstance(w, Number):
        sb.number_input(label, min_value=w.low, max_value=w.high, step=w.step, **kw)
    elif isinstance(w, Slider):
        sb.slider(label, w.low, w.high, step=w.step, **kw)
    else:
        assert isinstance(w, Check), w
        sb.checkbox(label, **kw)


def render():
    """Draw the sidebar; return ``(settings, error)``, the error worded, or None. The controls a
    lesson link hides are left out; their values apply all the same."""
    sb = st.sidebar
    hidden = _hidden()
    sb.selectbox(_("Language"), list(i18n.LANGUAGES), key="lang",
                 format_func={k: LANGUAGE_NAMES.get(k, k) for k in i18n.LANGUAGES}.get,
                 help=_("The page's language. Changing it keeps the open tab, every setting, the run and "
                        "the drawing."))
    sb.radio(_("Level"), list(LEVELS), format_func=labels(LEVELS), key="level", horizontal=True,
             help=_("Beginner: the preset, the hidden size, the activation, the learning rate and the "
                    "iterations, and the loss and accuracy charts. Advanced: every setting, the gradients' "
                    "chart and the tricks."))
    sb.header(_("Hyperparameters"))
    if hidden:  # at the top, where a student looks first: what the lesson set, and to what
        now = state.settings()
        sb.caption(_("Set by the lesson, and hidden: {fields}.").format(fields=_(", ").join(
            _(CONTROL_LABELS[k]) + ("" if k == "preset" else " = " + value_text(now, k))
            for k in HIDEABLE if k in hidden)))
    if beginner():  # the other controls are the preset's (or the lesson's), and it says so once
        hidden = hidden | {f.name for f in FIELDS if f.name not in BEGINNER_FIELDS}
        sb.caption(_("Beginner level: the other settings are the preset's. Choose Advanced to see them all."))
    if "preset" not in hidden:
        _preset(sb)
    _changed(sb, hidden)
    for field in FIELDS:
        if field.name not in hidden:
            _control(sb, field)
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
