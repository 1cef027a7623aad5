"""The Train tab: Start, Pause, Step, Stop and Reset, and the tab's layout around the live
part (:mod:`ui.live`: progress, charts and the run's figures)."""
import streamlit as st

from serve.runs import BROWSER_BUSY, QUEUE_FULL, QUEUED, Refused
from serve.worker import SNAPSHOT_EVERY

from . import compare_panel, health_charts, health_panel, kept, layout, live, state, terms
from .browser import browser_id
from .i18n import _, labels
from .resources import session_id, training_pool
from .run import Run, app_job

TICK = 0.5         # seconds between the timer's restarts of the live fragment
TILES_EVERY = SNAPSHOT_EVERY  # seconds between redraws of the live tiles: a snapshot's pace


def render(settings, error, shown=True):
    """Draw the tab for the sidebar's ``settings`` (``error``: why they can't run, or None).

    ``shown``: whether the Train tab is the one on screen. Polling the run stops while it
    is not (the run goes on in its worker) and picks up all it missed when it is again.

    From the top, in the order a student looks: the buttons; the progress bar, with a
    Step's inside under it; the three charts and the figures; the runs compared; the
    first layer's tiles; the gradient check. The live part is drawn last, into its place:
    the rest of the tab is already on screen while it polls, and nothing of the
    previous run lingers greyed out meanwhile.
    """
    _controls(settings, error)
    run = st.session_state.run
    live_box = st.container(key="live")
    metric = st.session_state.setdefault("health_metric", "grad_norm")
    if run is None or not layout.gradients_shown():
        state.keep("health_metric")  # while no chart shows it
    else:
        _c1, _c2, c3 = st.columns(3)  # in the third chart's column, under the charts and the figures
        metric = c3.selectbox(_("The third chart shows"), list(health_charts.METRICS), key="health_metric",
                              format_func=labels({k: m[0] for k, m in health_charts.METRICS.items()}))
    compare_panel.render(shown)
    t1, t2 = st.columns([1.2, 1])
    tiles = t1.toggle(_("Show the first layer live"), value=True, key="tiles_live")
    change = t2.toggle(_("Tiles: what training changed"), value=False, key="tiles_change",
                       help=_("W1 minus W1 at the start of the run"))
    tiles_box = st.container(key="live_tiles")
    health_panel.render_gradcheck(run, settings, error)
    polling = run is not None and run.active and shown is not False
    with tiles_box:
        every = TILES_EVERY if polling and tiles else None
        st.fragment(health_panel.live_tiles, run_every=every)(tiles=tiles, change=change)
    with live_box:
        page_run = st.session_state["page_runs"] = st.session_state.get("page_runs", 0) + 1
        st.fragment(live.render, run_every=TICK if polling else None)(loop=shown is not False,
                                                                     metric=metric, page_run=page_run)


def _controls(settings, error):
    run = st.session_state.run
    if run is not None:
        run.sync()  # the buttons show the run as it is now...
        st.session_state.controls_show = run.state  # ...and the live fragment redraws them when it changes
        kept.keep(run)  # once finished or stopped, it joins the runs compared
    busy = run is not None and not run.done
    row = st.container(horizontal=True, key="train_buttons")  # one row, on a phone too
    # Each button acts in its callback, before the script reruns: a Start reaches the pool
    # at once, and the rerun that follows already shows the run (no second rerun).
    row.button(_("Start"), key="start", type="primary", disabled=busy or error is not None, on_click=_start,
              help=_("Finish or stop the current run first.") if busy else None)
    row.button(_("Resume") if busy and run.paused else _("Pause"), key="pause",
              disabled=not busy or run.state == QUEUED, on_click=_pause)
    row.button(_("Step"), key="step", disabled=(busy and not run.paused) or (not busy and error is not None),
              on_click=_step,
              help=_("Train exactly one iteration, then pause and show it: the batch, the loss before "
                     "and after, and how the first layer changed."))
    row.button(_("Stop"), key="stop", disabled=not busy, on_click=_stop,
              help=_("A run waiting in the queue leaves it.") if busy and run.state == QUEUED else None)
    row.button(_("Reset"), key="reset", disabled=run is None, on_click=_reset,
              help=_("Clear this run and its charts (a finished run stays among the runs compared)."))
    terms.render(row, "terms_train")
    _refusal(st.session_state.get("start_refused"))
    if not busy and error is None:
        _cost(settings)
    if busy and settings != run.settings:
        st.caption(_("You changed the settings: they apply to the next run, not this one."))
    if error is not None and not busy:  # the sidebar says it too, but perhaps below the fold
        st.warning(_("These settings can't run here: {reason}").format(reason=error))
    if run is not None and not st.session_state.present:  # before a reload; a projector needs no warning
        st.caption(_("Reloading or closing this page ends the run: it lasts only while this page is open. "
                     "Download the model when the run ends to keep it."))


COSTLY = 60.0  # seconds of a trainer from which a run's cost is shown before Start


def _cost(settings):
    """What a large run will cost the class, before Start: the trainers are shared."""
    try:
        seconds = training_pool().cost(app_job(settings))
    except ValueError:  # out of range: the sidebar says why
        return
    if seconds >= COSTLY:
        st.caption(_("This run needs about {minutes:.0f} min of a trainer. The class shares the trainers: "
                     "runs started after it wait meanwhile.").format(minutes=max(1, round(seconds / 60))))


def _refusal(refused):
    """Why the pool would not take the last Start or Resume, until the next one."""
    if refused is None:
        return
    code, values = refused
    if code == BROWSER_BUSY:
        st.warning(_("Another tab of this browser already has a run. The class shares the trainers, so each "
                     "browser trains one run at a time: stop it in that tab, or wait for it to end."))
    elif code == QUEUE_FULL:
        st.warning(_("The queue is full: the runs waiting need about {minutes:.0f} min of training. Try a "
                     "smaller run, or press Start again in a few minutes.").format(
                         minutes=values["seconds"] / 60))


def _start(step=False):
    """The sidebar's settings as they are now (a widget changed in the same breath counts)."""
    st.session_state.start_refused = None
    try:
        st.session_state.run = Run.start(state.settings(), session_id(), training_pool(), step=step,
                                         browser=browser_id())
    except Refused as e:  # one run per browser; the queue is full
        st.session_state.start_refused = (e.code, e.values)
    except (TypeError, ValueError, RuntimeError):  # out of range; this session started one a moment ago;
        pass                                       # the server is stopping


def _step():
    run = st.session_state.run
    if run is not None and not run.done:
        if run.paused:
            run.step()
    else:
        _start(step=True)


def _pause():  # Pause or Resume, on the run as it is when the click arrives
    run = st.session_state.run
    st.session_state.start_refused = None
    if run is not None and not run.done:
        try:
            run.toggle_pause()
        except Refused as e:  # a resumed run goes back to the queue: the browser's limit, the queue's
            st.session_state.start_refused = (e.code, e.values)


def _stop():
    run = st.session_state.run
    if run is not None and not run.done:
        run.stop()


def _reset():
    run = st.session_state.run
    if run is not None and not run.done:
        run.cancel()
    st.session_state.run = None
