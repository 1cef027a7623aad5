"""What training does, on the Train tab and for any model: the first layer's tiles, a Step's
inside, and the gradient check (backprop against numerical gradients) run in the pool."""
import streamlit as st

from ffn.gradcheck import ATOL, BATCH, THRESHOLD
from ffn.health import first_layer

from . import diagram_panel, health_charts, shared
from .i18n import _
from .kept import kept_runs
from .resources import session_id, training_pool
from .run import GradCheck

CHECK_WAIT = 3.0  # seconds a rerun waits for a gradient check before it polls for it on a timer


def _picture(W):
    """The tiles of ``W`` as JPEG bytes (``st.image`` would encode an array at every call), and
    their scale."""
    img, scale = health_charts.tiles_image(W)
    return shared.jpeg(img), scale


@st.cache_data(max_entries=8, show_spinner=False)
def _tiles(W):  # keyed by the weights' bytes: a model's tiles are drawn once, not at every rerun
    return _picture(W)


def render_tiles(W, W_init=None, change=False, box=None, iteration=None, what=None, cached=False,
                 share=None):
    """The first layer's units as 28x28 tiles (``W`` of shape (784, K)), or ``W - W_init`` when
    ``change`` (and the start is known), with a caption (``what`` they are) that states the scale.
    ``cached``: for a finished model's weights, which do not change. ``share``: the key of a run
    other pages watch too (``Run.share_key()``), whose tiles at ``iteration`` are made once."""
    box = box or st.container()

    def tiles(M):
        if cached:
            return _tiles(M)
        key = None if share is None else (share, "tiles", iteration, change and W_init is not None)
        return shared.shared(key, lambda: _picture(M))
    with box.container():
        if what is not None:
            img, scale = tiles(W)
        elif change and W_init is not None:
            img, scale = tiles(W - W_init)
            what = _("What training changed in the first {k} units of layer 1 (their weights minus their "
                     "weights at the start)").format(k=W.shape[1])
        else:
            img, scale = tiles(W)
            what = _("The weights of the first {k} units of layer 1, one 28×28 tile each: the pattern of "
                     "pixels each unit adds up").format(k=W.shape[1])
        if iteration is not None:
            what += _(" · ") + _("iteration {iteration:,}").format(iteration=iteration)
        more = _("One scale for every tile: blue negative, white 0, orange positive, ±{scale:.3g} at full "
                 "colour.").format(scale=scale)
        # said JPEG, as made: Streamlit would otherwise open it to choose
        st.image(img, caption=_("{what}. {more}").format(what=what, more=more), output_format="JPEG")
        if change and W_init is None:
            st.caption(_("This model's starting weights are not known, "
                         "so its weights are shown as they are."))


def render_model_tiles(net, chosen):
    """For the model that reads the drawings (bundled, uploaded or this session's, ``chosen``
    by its key in :func:`ui.model_panel.models`): its first layer."""
    with st.expander(_("What this model's first layer learned")):
        run = st.session_state.get("run")
        start = run.snapshot("w1_init") if run is not None and chosen == "session" else None
        start = next((k.w1_init for k in kept_runs() if f"run{k.number}" == chosen), start)
        change = st.toggle(_("Tiles: what training changed"), value=False, key="model_tiles_change",
                           disabled=start is None,
                           help=_("W1 minus W1 at the start of the run: known for a model trained in this "
                                  "session only"))
        render_tiles(first_layer(net), start, change, cached=True)
        tiles_explained()


def live_tiles(tiles=True, change=False):
    """The run's first-layer tiles, live: a fragment of its own on a slower timer (a snapshot
    comes every ``serve.worker.SNAPSHOT_EVERY`` seconds at most), below the runs compared, which a
    64-tile image above them would push off the screen."""
    run = st.session_state.run
    box = st.empty()  # a new run's tiles replace the last run's at once
    snap = run.snapshot("w1") if run is not None and tiles else None
    if snap is None:
        return
    t1, t2 = box.container().columns([1.2, 1])
    render_tiles(snap["W"], run.snapshot("w1_init"), change, t1, snap["iteration"], share=run.share_key())
    with t2:
        tiles_explained()


def tiles_explained():
    """What to look for in the tiles, as the README's figures show it."""
    st.caption(_("Compare the article's initialisation (std 0.01) with He's. With std 0.01 and no "
                 "normalisation the first layer hardly moves while the run is stalled, and when it does "
                 "move, many units learn the same blurred, average digit. With He initialisation, or with "
                 "batch normalisation, each unit's change is its own pattern: strokes and edges in "
                 "different places."))


def render_step(run):
    """A Step's inside: the batch, the loss on it before and after the update, and the change of W1."""
    s = run.snapshot("step")
    if s is None or not (run.paused or run.done) or (run.progress or {}).get("iteration") != s["iteration"]:
        return  # only while the run rests on the step (a Step on its last iteration ends it)
    panel = st.container(key="step_panel")
    panel.subheader(_("Step: iteration {iteration:,}").format(iteration=s["iteration"]))
    c1, c2 = panel.columns([1.2, 1])
    with c1:
        shown = len(s["images"])
        head = (_("The batch: {n} images") if shown == s["batch_size"] else
                _("The batch: {shown} of its {n} images")).format(n=s["batch_size"], shown=shown)
        st.image(health_charts.batch_image(s["images"]), caption=head)
        rows = [s["labels"][i:i + 8] for i in range(0, shown, 8)]
        grid = "\n".join("  ".join(str(int(v)) for v in r) for r in rows)
        st.text(_("Their labels, row by row:") + "\n" + grid)
    with c2:
        before, after = s["loss_before"], s["loss_after"]
        st.metric(_("Loss on this batch, after the update"), f"{after:.4f}",
                  delta=_signed(after - before), delta_color="inverse",
                  help=_("Before the update it was {before:.4f}.").format(before=before))
        st.caption(_("Before the update: {before:.4f}. Learning rate {lr:.3g}. One step of gradient descent "
                     "on this batch moved the weights against the gradient; the loss on the same batch "
                     "went {direction}.").format(before=before, lr=s["lr"],
                                                  direction=_("down") if after < before else _("up")))
        render_tiles(s["dW1"], what=_("What this one step changed in the first {k} units of layer 1 "
                                      "(W1 after − W1 before)").format(k=s["dW1"].shape[1]))
    if "backward" in s:
        with panel:
            diagram_panel.render_backward(s, run.settings.net_config())


def render_gradcheck(run, settings, error):
    """The article's gradient check on the current network, as a short job in the pool."""
    with st.container(key="look_gradcheck").expander(_("Check backpropagation against numerical gradients")):
        st.caption(_("The article's check: the gradient from the hand-written backward passes against "
                     "central differences, (L(w + h) − L(w − h)) / 2h, one weight at a time, on {n} training "
                     "images in float64. Up to 100 weights of each array are checked (a random sample of the "
                     "large ones).").format(n=BATCH))
        target = _check_target(run, settings, error)
        if isinstance(target, str):
            st.caption(target)
        job = st.session_state.get("gradcheck_job")
        pending = job is not None and job.pending
        # The click is read before the button is drawn, so that it is drawn disabled at once while
        # the check waits; a second click meanwhile adds nothing.
        if st.session_state.get("gradcheck") and not pending and not isinstance(target, str):
            read, s, what = target
            params = read()  # read only now: a paused run's from its file
            if params is not False:
                st.session_state.gradcheck_job = GradCheck(s, params, what, session_id(), training_pool())
                pending = True
        st.button(_("Check the gradients"), key="gradcheck", disabled=isinstance(target, str) or pending)
        # polled on a timer while it waits in the queue; drawn once when it is done
        st.fragment(_check_result, run_every=1.0 if pending else None)(polling=pending)


def _check_target(run, settings, error):
    """(a function that reads the params, settings, what is checked), or why the check can't run
    now. The params are the run's when it is paused or done, None for the weights the settings
    start from, False when they are not to be had this moment."""
    if run is not None and run.active:
        return _("Pause the run to check its gradients.")
    if run is not None and (run.paused or run.model is not None):
        def read():  # False if the run has just been resumed: its file is a worker's now
            params = run.params()
            return False if params is None else params.copy()
        iteration = (run.progress or {}).get("iteration", 0)
        what = _("the run's network at iteration {iteration:,}").format(iteration=iteration)
        return read, run.settings, what
    if error is not None:
        return _("Fix the settings first.")
    return (lambda: None), settings, _("the network these settings start from")


def _check_result(polling=False):
    job = st.session_state.get("gradcheck_job")
    if job is None:
        return
    job.wait(CHECK_WAIT)  # a check takes about half a second: wait for it here
    if polling and not job.pending:
        st.rerun()  # the whole page: the button comes back, and this stops polling
    rows = job.rows
    if rows is not None:
        st.write(_("Checked: {what}.").format(what=job.what))
        st.table([{_("Parameter"): r["param"],  # the verdict first: a phone shows the left columns
                   _("Agree?"): _verdict(r),
                   _("Relative error"): f"{r['relative_error']:.2e}",
                   _("Largest difference"): f"{r['max_difference']:.1e}",
                   _("Shape"): " × ".join(map(str, r["shape"])),
                   _("Weights checked"): f"{r['checked']:,} / {r['size']:,}"} for r in rows])
        bad = [r["param"] for r in rows if not (r["ok"] or r["tiny"])]
        tiny = [r["param"] for r in rows if r["tiny"]]
        if bad:
            st.error(_("Backprop disagrees with the numerical gradient for {names}.").format(
                names=_(", ").join(bad)))
        elif tiny:
            st.info(_("Every array whose gradient is large enough to measure agrees to better than "
                      "{threshold:g}. {names}: too small to check. Every difference is below {atol:g}, "
                      "under the numerical gradient's own rounding noise, because the gradient itself "
                      "hardly exists: a bias just before batch normalisation (the batch's mean takes any "
                      "shift away), or a layer the gradient hardly reaches, as in a stalled network.").format(
                threshold=THRESHOLD, names=_(", ").join(tiny), atol=ATOL))
        else:
            st.success(_("Every array agrees to better than {threshold:g}: backprop is right.").format(
                threshold=THRESHOLD))
    elif job.queued and (where := job.where()) is not None:
        place, seconds = where
        st.info(_("Every trainer is busy: the check is number {place} in the queue and should start in about "
                  "{seconds:.0f} s. It appears here when it is done.").format(place=place, seconds=seconds))
    elif job.pending:
        st.info(_("Checking…"))
    else:
        st.error(_("The check could not run; press the button to try again."))


def _verdict(row):
    """A gradient check's row in one mark: agrees, too small to check, or disagrees."""
    if row["ok"]:
        return "✓"
    return "– " + _("too small to check") if row["tiny"] else "✗ " + _("no")


def _signed(change):
    """A loss's change with its sign, in figures that show it: ``-0.0312``, or ``-3.1e-06``
    where four decimals would round it to ``-0.0000``."""
    return f"{change:+.4f}" if change == 0 or abs(change) >= 5e-5 else f"{change:+.1e}"
