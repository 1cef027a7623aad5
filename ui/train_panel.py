"""The Train tab: Start, Pause, Stop and Reset; the live progress and curves; the results."""
import time

import streamlit as st

from . import charts
from .i18n import _
from .resources import mnist
from .run import Run
from .wording import note

TICK = 0.5         # seconds between the timer's restarts of the live-training fragment
CHUNK = 0.25       # seconds of training between redraws: bounds how long a click waits
CHART_EVERY = 1.0  # seconds between redraws of the charts
LOOP = 3.0         # seconds one run of the live-training fragment trains before the timer takes over


def render(settings, error):
    """Draw the tab for the sidebar's ``settings`` (``error``: why they can't run, or None)."""
    _controls(settings, error)
    run = st.session_state.run
    every = TICK if run is not None and run.active else None
    st.fragment(_live, run_every=every)()


def _controls(settings, error):
    run = st.session_state.run
    busy = run is not None and not run.trainer.done
    c1, c2, c3, c4 = st.columns(4)
    if c1.button(_("Start"), key="start", type="primary", disabled=busy or error is not None,
                 help=_("Finish or stop the current run first.") if busy else None):
        (x, t), _test = mnist()
        st.session_state.run = Run.start(settings, x, t)  # the sidebar has checked the settings
        st.rerun()
    if c2.button(_("Resume") if busy and run.paused else _("Pause"), key="pause", disabled=not busy):
        run.set_paused(not run.paused)
        st.rerun()
    if c3.button(_("Stop"), key="stop", disabled=not busy):
        run.trainer.stop()
        st.rerun()
    if c4.button(_("Reset"), key="reset", disabled=run is None, help=_("Forget this run and its charts.")):
        st.session_state.run = None
        st.rerun()
    if busy and settings != run.settings:
        st.caption(_("You changed the settings: they apply to the next run, not this one."))
    if run is not None:
        st.caption(_("Reloading or closing this page ends the run: it lives only as long as "
                     "this browser tab. Download the model when the run ends to keep it."))


def _progress(run):
    tr, p = run.trainer, run.trainer.progress()
    text = _("iteration {iteration:,} / {total:,} · epoch {epoch:.2f} · {rate:,.0f} images/s").format(
        iteration=p["iteration"], total=p["total_iters"], epoch=p["epoch"], rate=p["samples_per_sec"])
    if p["seconds_left"] is not None and not tr.done:
        text += " · " + _("about {seconds:.0f} s left").format(seconds=p["seconds_left"])
    if run.paused:
        text += " · " + _("paused")
    st.progress(min(p["fraction"], 1.0), text=text)
    if tr.advice:
        st.warning(note(tr.advice))


def _live():
    """Train and redraw progress and charts, chunk after chunk, for up to LOOP seconds.

    Runs as a fragment on a timer while a run is active. Between chunks it only redraws
    its placeholders, so training does not wait for the browser; a click anywhere
    interrupts it at the end of the current chunk (Streamlit stops a script at its next
    call when a rerun is requested), and the timer picks training up again.
    """
    run = st.session_state.run
    if run is None:
        st.info(_("Choose settings in the sidebar (or a preset) and press **Start**. The loss and "
                  "accuracy curves draw themselves while the network learns."))
        return
    progress_box = st.empty()
    c1, c2 = st.columns(2)
    curves = _Curves(c1.empty(), c2.empty())
    start = time.monotonic()
    while True:
        if run.active and not run.tick(CHUNK) and run.active:
            time.sleep(0.05)  # another script thread holds the run: wait, don't spin
        with progress_box.container():
            _progress(run)
        curves.draw(run.trainer.history, force=not run.active)
        if not run.active or time.monotonic() - start >= LOOP:
            break
    if run.trainer.done:
        _results(run)


class _Curves:
    """The loss and accuracy charts, redrawn about once a second, each only when its
    data changed: they cost far more to build and send than the progress bar (and an
    identical chart drawn twice in one run is a duplicate element to Streamlit)."""

    def __init__(self, loss_box, acc_box):
        self.loss_box, self.acc_box = loss_box, acc_box
        self.drawn = None          # when the charts were last drawn
        self.shown = (-1, -1)      # (iterations, evaluations) in the charts on screen

    def draw(self, h, force=False):
        now = time.monotonic()
        if not (force or self.drawn is None or now - self.drawn >= CHART_EVERY):
            return
        if len(h["loss"]) != self.shown[0]:
            self.loss_box.plotly_chart(charts.loss_figure(h))
        if len(h["eval_iteration"]) != self.shown[1]:
            self.acc_box.plotly_chart(charts.accuracy_figure(h))
        self.shown, self.drawn = (len(h["loss"]), len(h["eval_iteration"])), now


def _results(run):
    tr = run.trainer
    if tr.status == "diverged":
        st.error(note(tr.outcome))
    else:
        st.success(note(tr.outcome) + " " + _("Wall time {seconds:.1f} s.").format(seconds=run.wall_seconds))
    _train, (x_test, t_test) = mnist()
    if not run.final:
        run.finish(x_test, t_test)
        st.rerun()  # the whole page: stop the timer, enable Start, offer the model
    f = run.final
    m = st.columns(4)
    m[0].metric(_("Test accuracy (10,000 images)"), f"{f['test']:.2%}")
    m[1].metric(_("Training accuracy"), f"{f['train']:.2%}")
    if "valid" in f:
        m[2].metric(_("Validation accuracy"), f"{f['valid']:.2%}")
    m[3].download_button(_("Download this model (.npz)"), run.model_file, file_name="ffn-model.npz",
                         mime="application/octet-stream", key="download", on_click="ignore")
