"""What every session shares, loaded once per server process: MNIST and the bundled model.

Both are only read: the bundled network is safe to share because inference writes
nothing into a network (see :class:`ffn.MultiLayerNet`).
"""
import streamlit as st

import ffn

from .i18n import _


def mnist():
    """``((x_train, t_train), (x_test, t_test))``, shared read-only by every session."""
    return _first_load(_mnist, _("Loading MNIST…"))


def bundled_model():
    """The pretrained 784-512-256-10 network, shared read-only by every session."""
    return _first_load(_bundled_model, _("Loading the pretrained model…"))


_loaded = set()  # loaders whose resource is in the cache: no spinner on a rerun


def _first_load(load, text):
    """``load()``, under a spinner in the session's language only while not yet cached
    (a spinner on every rerun would add an element and a timer thread to each)."""
    if load in _loaded:
        return load()
    with st.spinner(text):
        out = load()
    _loaded.add(load)
    return out


@st.cache_resource(show_spinner=False)
def _mnist():
    return ffn.load_mnist()


@st.cache_resource(show_spinner=False)
def _bundled_model():
    return ffn.load_model()
