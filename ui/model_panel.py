"""Which model reads the drawing: the bundled one, this session's, or an uploaded file."""
import logging

import streamlit as st

import ffn

from . import state
from .i18n import _
from .resources import bundled_model
from .run import MODEL_LIMITS
from .wording import model_file_error

log = logging.getLogger("ffn-digits")


def render_choice():
    """The model selector; returns the chosen network."""
    models = {"bundled": (bundled_model(), _("Pretrained"))}
    run = st.session_state.run
    if run is not None and run.final:
        models["session"] = (run.net, _("Trained in this session"))
    if st.session_state.get("uploaded_model") is not None:
        models["uploaded"] = (st.session_state.uploaded_model, _("Uploaded"))
    if st.session_state.get("model_choice") not in models:
        st.session_state.model_choice = "bundled"

    def label(k):
        net, name = models[k]
        acc = run.final.get("test") if k == "session" else net.meta.get("test_accuracy")
        if isinstance(acc, (int, float)):
            return _("{name} ({accuracy:.1%} on MNIST test)").format(name=name, accuracy=acc)
        return name

    key = st.radio(_("Model"), list(models), format_func=label, key="model_choice", horizontal=True)
    return models[key][0]


def render_upload():
    """The uploader: a file is checked once, and what is wrong with it stays on screen."""
    up = st.file_uploader(_("Use your own model (.npz saved by this app or `python -m ffn.train --out`)"),
                          type=["npz"], key="upload",
                          help=_("Any network that reads a 28×28 image into ten digits, with at most "
                                 "{limit:,} weights.").format(limit=MODEL_LIMITS["max_params"]))
    if up is None:
        state.forget_upload()
        return
    if st.session_state.get("upload_id") != up.file_id:  # validate each file once, not per stroke
        model, error = None, None
        try:
            model = ffn.load_model(up.getvalue(), **MODEL_LIMITS)
        except ffn.ModelFileError as e:
            error = (e.reason, e.values, str(e))
        except Exception:  # load_model raises only ModelFileError; anything else is a bug, kept off the page
            log.exception("unexpected error while loading an uploaded model")
            error = ("unreadable", {}, None)
        # marked as handled only once handled, so the message survives every rerun
        st.session_state.uploaded_model, st.session_state.upload_error = model, error
        st.session_state.upload_id = up.file_id
    if st.session_state.get("upload_error"):
        reason, values, detail = st.session_state.upload_error
        st.error(_("That file can't be used. {reason}").format(reason=model_file_error(reason, values)))
        if detail:  # the checker's own record, which may quote the file: plain text, never Markdown
            with st.expander(_("Technical details, as the file's checker wrote them (in English)")):
                st.code(detail, language=None, wrap_lines=True)
