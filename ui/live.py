"""The Train tab's live part, a fragment on a timer while a run is queued or training: the
progress bar (with a Step's inside under it), the loss, accuracy and gradient-health charts,
and the run's figures when it ends."""
import logging
import time

import streamlit as st

from serve.grace import GRACE_SECONDS
from serve.runs import CANCELLED, DONE, FAILED, QUEUED, SESSION_ENDED, WORKER_DIED

from . import charts, class_send, health_charts, health_panel, shared
from .i18n import _, language
from .layout import gradients_shown, presenting, scale
from .resources import session_id
from .wording import joined, note

log = logging.getLogger("ffn-digits")

POLL = 0.25        # seconds between two polls of the run's worker: bounds how long a click waits
CHART_EVERY = 1.0  # seconds between redraws of the charts
FULL_PACE = 20     # pages watching one shared run at these paces: more share them (pace())
LOOP = 3.0         # seconds one run of the live fragment polls before the timer takes over
SEND = 0.2         # seconds a finished run's figures are given to reach the browser before the page
                   # reruns, which would clear them on the way


def _students(run):
    """One sentence when the run trains once for several sessions (:mod:`serve.seats`)."""
    if run.students < 2:
        return
    if run.active:
        st.caption(_("Training once for {n} students with these settings: you all see the same curves and "
                     "figures.").format(n=run.students))
    elif run.state == DONE and run.outcome and run.outcome[0] != "stopped":
        st.caption(_("Trained once for {n} students with these settings.").format(n=run.students))


def _progress(run):
    _students(run)
    if run.state in (FAILED, CANCELLED):
        _stopped(run)
        return
    if run.state == QUEUED:
        st.info(_("Every trainer is busy: your run is number {place} in the queue and should start in "
                  "about {seconds:.0f} s. It starts by itself.").format(place=run.place, seconds=run.wait))
        return
    p = run.progress
    if p is None:  # no report yet: starting, or it ended before its first
        if run.active:
            st.progress(0.0, text=_("Starting…"))
        return
    text = _("iteration {iteration:,} / {total:,} · epoch {epoch:.2f} · {rate:,.0f} images/s").format(
        iteration=p["iteration"], total=p["total_iters"], epoch=p["epoch"], rate=p["samples_per_sec"])
    if p["seconds_left"] is not None and run.active:
        text += _(" · ") + _("about {seconds:.0f} s left").format(seconds=p["seconds_left"])
    if run.paused:
        text += _(" · ") + _("paused")
    st.progress(min(p["fraction"], 1.0), text=text)
    if run.late:
        st.warning(_("The trainer has not answered for a while. It may be very busy; if nothing moves, "
                     "press Stop or Reset."))
    if run.advice:
        st.warning(note(run.advice))


def render(loop=True, metric="grad_norm", page_run=None):
    """Poll the run's worker and redraw progress and charts, for up to LOOP seconds
    (once, with ``loop=False``: the Train tab is hidden).

    Once, too, in a run of the whole page (the first call with its ``page_run``): the
    page's run then ends at once, and with it what the last run left on the page (its
    messages and charts, greyed out until the page's run ends); the fragment's timer
    polls on from there.

    Runs as a fragment on a timer while a run is queued or training. The training itself
    happens in a worker process; this only brings in what is new and draws it, so a
    click anywhere is handled at once.
    """
    run = st.session_state.run
    session_id()  # a fragment's timer is proof of life too: keeps the run through a reconnect
    if run is None:
        st.info(_("Choose the settings (a preset, or each hyperparameter) and press **Start**. The loss and "
                  "accuracy curves draw themselves while the network learns."))
        return
    if st.session_state.get("live_page_run") != page_run:
        st.session_state.live_page_run, loop = page_run, False
    progress_box = st.container(key="look_progress").empty()
    with st.container():
        health_panel.render_step(run)  # under the progress bar, where the student looks after Step
    cols = st.columns(3 if gradients_shown() else 2)  # the beginner level leaves the gradients' chart out
    slower = pace(run)
    names = ("loss_chart", "accuracy_chart", "health_chart")
    boxes = [c.container(key=f"look_{name}").empty() for c, name in zip(cols, names)]
    boxes += [None] * (3 - len(cols))
    curves = _Curves(*boxes, metric, run.settings, run.share_key(),
                     every=CHART_EVERY * slower)
    # the figures, below the charts, sent before them: they are what the student waits for
    results_box = st.container(key="look_results").empty()
    results_shown = run.done
    if results_shown:
        with results_box.container():
            _results(run)
    start = time.monotonic()
    while True:
        run.sync()
        if run.state != st.session_state.get("controls_show"):
            if run.done and not results_shown:
                # what the student waits for, at once, before the page redraws around it
                with results_box.container():
                    _results(run)
                # The rerun below clears what is still queued for the browser: a moment for the
                # server's event loop to send the figures first (it wakes when they are queued).
                time.sleep(SEND)
            # The whole page, at once: the buttons (Pause or Resume, Start) and the
            # fragment's timer follow, drawn once rather than here and then again.
            st.rerun()
        # every poll, changed or not: a click is handled at the script's next Streamlit call
        with progress_box.container():
            _progress(run)
        curves.draw(run.history, force=not run.active, ending=_ending(run, curves.every))
        if not loop or not run.active or time.monotonic() - start >= LOOP:
            break
        run.wait_for_change(POLL * min(slower, 2.0))


def pace(run):
    """How much slower than CHART_EVERY (and POLL, up to twice) this page redraws its run: 1 for
    a run FULL_PACE pages or fewer watch on this server, more for more, so that all its pages
    together draw its charts about as often as FULL_PACE would (and each page at the start of
    every run of the live fragment, LOOP + TICK seconds at most). A hundred pages redrawing
    three charts a second take the core the run trains on; the figures matter more than the
    curves' smoothness."""
    return max(1.0, run.students / FULL_PACE)


def _ending(run, every):
    """Whether the run's training ends within ``every`` seconds, by its own estimate."""
    left = (run.progress or {}).get("seconds_left")
    return run.active and left is not None and left < every


class _Curves:
    """The loss, accuracy and gradient-health charts, redrawn about once a second (``every``), each only
    when its data changed: they cost far more to build and send than the progress bar (and
    an identical chart drawn twice in one run is a duplicate element to Streamlit).

    Not in the last ``every`` seconds of a run (``ending``): the final charts follow at
    once, and the browser draws each new chart from scratch (Streamlit remounts a Plotly
    chart whose figure changed), which would delay the figures of a run that ends meanwhile.
    """

    def __init__(self, loss_box, acc_box, health_box, metric, settings, share=None, every=CHART_EVERY):
        self.loss_box, self.acc_box, self.health_box = loss_box, acc_box, health_box
        self.share = share  # Run.share_key(): the run's curves are every watching page's
        self.every = every  # seconds between redraws
        self.metric, self.sizes = metric, settings.layer_sizes()
        self.tags = health_charts.layer_tags(settings.net_config())
        self.drawn = None          # when the charts were last drawn
        self.shown = [-1, -1, -1]  # (iterations, evaluations, health points) in the charts on screen

    def _chart(self, i, box, name, build, points, now, exact):
        """Chart ``i`` (``name``), of ``points`` points, into ``box`` unless the page shows it
        already: built by ``build()`` and scaled for this page; for a run other pages watch
        too, made at most once every ``every`` seconds for all of them."""
        if points == self.shown[i]:
            return
        key = None if self.share is None else (self.share, name, self.metric if name == "health" else None,
                                               language(), presenting())
        made, fig = shared.figure(key, points, lambda: scale(build()), now, self.every, exact)
        if made != self.shown[i]:
            charts.plot(box, fig, scaled=True)
            self.shown[i] = made

    def draw(self, h, force=False, ending=False):
        if not h["loss"]:  # nothing trained yet: each chart's title, and that it waits
            if self.shown != [0, 0, 0]:
                for box, title in zip((self.loss_box, self.acc_box, self.health_box),
                                      (_("Loss"), _("Accuracy"), _(health_charts.METRICS[self.metric][0]))):
                    if box is None:
                        continue
                    with box.container(border=True):
                        st.markdown(f"**{title}**")
                        st.caption(_("Waiting for the first points…"))
                self.shown = [0, 0, 0]
            return
        now = time.monotonic()
        if self.drawn is not None and not force and (ending or now - self.drawn < self.every):
            return  # (with nothing drawn yet in this run of the fragment, the boxes are empty)
        points = len(h.get("health_iteration", ()))
        self._chart(0, self.loss_box, "loss", lambda: charts.loss_figure(h), len(h["loss"]), now, force)
        self._chart(1, self.acc_box, "accuracy", lambda: charts.accuracy_figure(h), len(h["eval_iteration"]),
                    now, force)
        if points and self.health_box is not None:
            health = lambda: health_charts.health_figure(h, self.metric, self.sizes, self.tags)  # noqa: E731
            self._chart(2, self.health_box, "health", health, points, now, force)
        self.drawn = now


def _stopped(run):
    """Why a run ended without its figures, in the progress bar's place at the top of the tab,
    where the student is looking, and the bar where it stopped."""
    if run.state == FAILED:
        if run.error[0] == WORKER_DIED:
            st.error(_("Training stopped unexpectedly; press Start to try again."))
        elif run.error[0] == "disk":  # the server's files are full: only the teacher can help
            log.error("a run could not be kept: %s", run.error)
            st.error(_("Training stopped: the server's disk is full, so this run could not be kept. "
                       "Tell your teacher; the run is lost."))
        else:  # the page checks the settings first: a refusal here is a bug, logged with its detail
            log.error("the trainer refused a run: %s", run.error)
            st.error(_("The trainer could not start this run; press Start to try again."))
    elif run.cancel_reason == SESSION_ENDED:
        st.info(_("This run was cancelled: the page was away for more than {seconds:g} seconds. "
                  "Press Start to train again.").format(seconds=GRACE_SECONDS))
    else:
        st.info(_("The run left the queue before it started."))
    p = run.progress
    if p is not None:
        st.progress(min(p["fraction"], 1.0), text=_("stopped at iteration {iteration:,} / {total:,}").format(
            iteration=p["iteration"], total=p["total_iters"]))


def _results(run):
    if run.state in (FAILED, CANCELLED):
        return  # said at the top, in the progress bar's place (_stopped)
    if run.outcome[0] == "diverged":
        st.error(note(run.outcome))
    else:
        wall = _("Wall time {seconds:.1f} s.").format(seconds=run.wall_seconds)
        st.success(joined(note(run.outcome), wall))
    f = run.final
    m = st.columns(4)
    m[0].metric(_("Test accuracy (10,000 images)"), f"{f['test']:.2%}")
    m[1].metric(_("Training accuracy"), f"{f['train']:.2%}")
    if "valid" in f:
        m[2].metric(_("Validation accuracy"), f"{f['valid']:.2%}")
    m[3].download_button(_("Download this model (.npz)"), run.model.read, file_name="ffn-model.npz",
                         mime="application/octet-stream", key="download", on_click="ignore")
    class_send.run_button(run)  # a student in a class: Send to the class
