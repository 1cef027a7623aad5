"""What every session shares, loaded once per server process: MNIST and the bundled model.

Both are only read: the bundled network is safe to share because inference writes
nothing into a network (see :class:`ffn.MultiLayerNet`).
"""
import streamlit as st

import ffn

from .i18n import _


def mnist():
    """``((x_train, t_train), (x_test, t_test))``, shared read-only by every session."""
    with st.spinner(_("Loading MNIST…")):  # shown only if loading takes over half a second
        return _mnist()


def bundled_model():
    """The pretrained 784-512-256-10 network, shared read-only by every session."""
    with st.spinner(_("Loading the pretrained model…")):
        return _bundled_model()


@st.cache_resource(show_spinner=False)
def _mnist():
    return ffn.load_mnist()


@st.cache_resource(show_spinner=False)
def _bundled_model():
    return ffn.load_model()
