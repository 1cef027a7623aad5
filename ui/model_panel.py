"""Which model reads the drawing: the bundled one, this session's, or an uploaded file."""
import logging
import weakref

import streamlit as st

import ffn

from . import state
from .fields import run_labels
from .i18n import _
from .kept import keep, kept_runs
from .networks import network
from .resources import bundled_model
from .run import MODEL_LIMITS
from .wording import model_file_error

log = logging.getLogger("ffn-digits")
GUESSING = 0.3  # a model reading fewer test digits than this is said to be hardly better than guessing


def models():
    """The models a drawing or an evaluation can use: ``{key: (model, label, caption)}``, the
    bundled one first, then this session's runs (kept ones newest first) and an uploaded file.
    A model is a network (the bundled one, an upload) or a run's model file, read into a
    network only once chosen (:func:`ui.networks.network`).

    A label never changes while its model is on offer (a radio keeps its choice by label);
    what a run changed, which moves as runs come and go, is in the caption."""
    def named(name, acc):
        if isinstance(acc, (int, float)):
            return _("{name} ({accuracy:.1%} on MNIST test)").format(name=name, accuracy=acc)
        return name
    bundled = bundled_model()
    shape = "-".join(map(str, [bundled.input_size, *bundled.hidden_size_list, bundled.output_size]))
    name = _("Pretrained {shape}").format(shape=shape)
    out = {"bundled": (bundled, named(name, bundled.meta.get("test_accuracy")), "")}
    run = st.session_state.run
    if run is not None:
        keep(run)  # a run that has just finished is offered at once, wherever this is asked first
    kept = kept_runs()
    if run is not None and run.final and (run.kept is None or run.kept not in kept):  # not kept, or forgotten
        out["session"] = (run.model, named(_("Trained in this session"), run.final.get("test")), "")
    labels, fields = run_labels(kept) if len(kept) > 1 else ({}, [])
    for k in reversed(kept):
        name = _("Trained in this session: run {n}").format(n=k.number)
        caption = labels.get(k.number, "") if fields else ""
        out[f"run{k.number}"] = (k.model, named(name, k.final.get("test")), caption)
    if st.session_state.get("uploaded_model") is not None:
        net = st.session_state.uploaded_model
        out["uploaded"] = (net, named(_("Uploaded"), net.meta.get("test_accuracy")), "")
    return out


def just_trained():
    """The key of the model this session's current run made, once it has finished or been
    stopped and joined the kept runs, or None: none yet, or it diverged (its weights are not
    a model to read with), or it is a Step or two (nothing to compare, nothing learned)."""
    run = st.session_state.run
    kept = run.kept if run is not None else None
    return f"run{kept.number}" if kept is not None and kept in kept_runs() else None


def _chosen_by_hand(key):
    """The student's click: kept as their choice, unless they chose the run just trained."""
    ss = st.session_state
    ss[f"{key}_by_hand"] = None if ss[key] == just_trained() else ss[key]


def render_choice(key="model_choice", options=None):
    """A model selector (the Draw tab's, or another under its own ``key``); returns
    ``(key of the model, network)``.

    A run that has just ended reads the drawings (and the test set) in place of the
    bundled model, once: "train it, then draw" tests the network just trained. A model the
    student picked by hand is not replaced while it is on offer."""
    options = options or models()
    ss = st.session_state
    newest = just_trained()
    by_hand = ss.get(f"{key}_by_hand")
    if by_hand not in options:  # none, or gone (a forgotten run, a removed upload)
        by_hand = ss[f"{key}_by_hand"] = None
    offered = ss.get(f"{key}_offered")  # the run offered last: once a run, whose key moves when forgotten
    if newest in options and by_hand is None and (offered is None or offered() is not ss.run):
        ss[key], ss[f"{key}_offered"] = newest, weakref.ref(ss.run)  # a weak one: it keeps no run alive
    if ss.get(key) not in options:
        ss[key] = "bundled"
    captions = [options[k][2] for k in options]
    chosen = st.radio(_("Model"), list(options), format_func=lambda k: options[k][1], key=key,
                      horizontal=True, captions=captions if any(captions) else None,
                      on_change=_chosen_by_hand, args=(key,))
    if chosen == newest and by_hand is None:
        test = st.session_state.run.final.get("test", 1.0)
        if test < GUESSING:  # the article's stalled run: say why its answers look random
            st.caption(_("Reading with the network you just trained. It reads only {accuracy:.0%} of the "
                         "test digits, hardly better than guessing, so expect wrong answers; the pretrained "
                         "one is a click away.").format(accuracy=test))
        else:
            st.caption(_("Reading with the network you just trained; the pretrained one is a click away."))
    return chosen, network(options[chosen][0])


def render_kept_download(chosen):
    """A kept run's model, chosen above, to download."""
    k = next((k for k in kept_runs() if f"run{k.number}" == chosen), None)
    if k is not None:
        st.download_button(_("Download this model (.npz)"), k.model_file, file_name=f"ffn-run{k.number}.npz",
                           mime="application/octet-stream", key="download_kept", on_click="ignore")


def render_upload():
    """The uploader: a file is checked once, and what is wrong with it stays on screen."""
    up = st.file_uploader(_("Use your own model (.npz saved by this app or `python -m ffn.train --out`)"),
                          type=["npz"], key="upload",
                          help=_("Any network that reads a 28×28 image into ten digits, with at most "
                                 "{limit:,} weights, in a file of at most {mb} MB.").format(
                              limit=MODEL_LIMITS["max_params"], mb=st.get_option("server.maxUploadSize")))
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
