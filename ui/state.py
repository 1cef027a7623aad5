"""The session's state, set up in one place.

Keys: the sidebar's settings (:data:`ui.fields.SETTING_KEYS`, :class:`ffn.TrainSettings`'
field names) and its ``preset``; ``lesson`` (what the session's link asked for), ``tab``,
``view``, ``present``; ``run`` (a :class:`ui.run.Run` or None); ``canvas_id`` (bumped to
clear the canvas); ``lang``; and, while a model is uploaded, ``uploaded_model``,
``upload_id``, ``upload_error``.
"""
import streamlit as st

import ffn
from ffn.presets import PRESETS
from ffn.settings import run_length

from .fields import SETTING_KEYS
from .i18n import DEFAULT_LANGUAGE
from .resources import session_id

DEFAULT_PRESET = "article_he"
UPLOAD_KEYS = ("uploaded_model", "upload_error", "upload_id")


def init():
    """Give every key its first value, once per session; True on the session's first run
    (the page then reads its link: :func:`ui.lesson_panel.open_link`)."""
    ss = st.session_state
    first = "preset" not in ss
    if first:
        ss.preset = DEFAULT_PRESET
        apply_preset()
    ss.setdefault("run", None)
    session_id()  # starts the training pool with the first page, and keeps this session's run
    ss.setdefault("canvas_id", 0)
    ss.setdefault("lang", DEFAULT_LANGUAGE)
    ss.setdefault("present", False)
    ss.setdefault("level", "advanced")
    return first


def preset_values(name):
    """The sidebar's values for a preset: its settings, with the run length in iterations."""
    s = PRESETS[name]
    values = {k: getattr(s, k) for k in SETTING_KEYS if k != "iters"}
    values["iters"] = run_length(s)[0]
    return values


def apply_preset():
    """Set the sidebar to the chosen preset (the preset selector's callback)."""
    st.session_state.update(preset_values(st.session_state.preset))


def changed_from_preset():
    """The sidebar's settings that no longer have the chosen preset's values, in sidebar order."""
    ss = st.session_state
    preset = preset_values(ss.preset)
    return [k for k in SETTING_KEYS if k in ss and ss[k] != preset[k]]


def settings():
    """The :class:`ffn.TrainSettings` the sidebar shows."""
    return ffn.TrainSettings.from_dict({k: st.session_state[k] for k in SETTING_KEYS})


def keep(*keys):
    """Keep the values of widgets not drawn in this run: Streamlit forgets a widget left out of
    a script run, but not a value the script sets."""
    for key in keys:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def forget_upload():
    """Release an uploaded model at once: deleting drops every reference session state
    keeps, where assigning None would keep the old value until the next rerun."""
    for key in UPLOAD_KEYS:
        st.session_state.pop(key, None)
