"""What training does, on the Train tab and for any model: the first layer's tiles, a Step's
inside, and the gradient check (backprop against numerical gradients) run in the pool."""
import streamlit as st

from ffn.gradcheck import BATCH, THRESHOLD
from ffn.health import first_layer

from . import health_charts
from .i18n import _
from .resources import session_id, training_pool
from .run import job_spec

CHECK_WAIT = 20.0  # seconds the page waits for a gradient check before it polls for it instead


def render_tiles(W, W_init=None, change=False, box=None, iteration=None, what=None):
    """The first layer's units as 28x28 tiles (``W`` of shape (784, K)), or ``W - W_init`` when
    ``change`` (and the start is known), with a caption (``what`` they are) that states the scale."""
    box = box or st.container()
    with box.container():
        if what is not None:
            img, scale = health_charts.tiles_image(W)
        elif change and W_init is not None:
            img, scale = health_charts.tiles_image(W - W_init)
            what = _("What training changed in the first {k} units of layer 1 (their weights minus their "
                     "weights at the start)").format(k=W.shape[1])
        else:
            img, scale = health_charts.tiles_image(W)
            what = _("The weights of the first {k} units of layer 1, one 28×28 tile each: the pattern of "
                     "pixels each unit adds up").format(k=W.shape[1])
        if iteration is not None:
            what += " · " + _("iteration {iteration:,}").format(iteration=iteration)
        st.image(img, caption=what + ". " + _("One scale for every tile: blue negative, white 0, orange "
                                              "positive, ±{scale:.3g} at full colour.").format(scale=scale))
        if change and W_init is None:
            st.caption(_("This model's starting weights are not known, so its weights are shown as they are."))


def render_model_tiles(net):
    """For the model that reads the drawings (bundled, uploaded or this session's): its first layer."""
    with st.expander(_("What this model's first layer learned")):
        run = st.session_state.get("run")
        start = run.snapshot("w1_init") if run is not None and net is run.net else None
        change = st.toggle(_("Tiles: what training changed"), value=False, key="model_tiles_change",
                           disabled=start is None,
                           help=_("W1 minus W1 at the start of the run: known for a model trained in this "
                                  "session only"))
        render_tiles(first_layer(net), start, change)
        tiles_explained()


def tiles_explained():
    """What to look for in the tiles: measured with bench/health_runs.py (the README's figures)."""
    st.caption(_("Compare the article's initialisation (std 0.01) with He's. With std 0.01 the first "
                 "layer hardly moves while the run is stalled, and when it does move, many units learn "
                 "the same blurred, average digit. With He initialisation each unit's change is its own "
                 "pattern: strokes and edges in different places."))


def render_step(run):
    """A Step's inside: the batch, the loss on it before and after the update, and the change of W1."""
    s = run.snapshot("step")
    if s is None or not run.paused or (run.progress or {}).get("iteration") != s["iteration"]:
        return
    panel = st.container(key="step_panel")
    panel.subheader(_("Step: iteration {iteration:,}").format(iteration=s["iteration"]))
    c1, c2 = panel.columns([1.2, 1])
    with c1:
        shown = len(s["images"])
        head = (_("The batch: {n} images") if shown == s["batch_size"] else
                _("The batch: {shown} of its {n} images")).format(n=s["batch_size"], shown=shown)
        st.image(health_charts.batch_image(s["images"]), caption=head)
        rows = [s["labels"][i:i + 8] for i in range(0, shown, 8)]
        st.text(_("Their labels, row by row:") + "\n" + "\n".join("  ".join(str(int(v)) for v in r) for r in rows))
    with c2:
        before, after = s["loss_before"], s["loss_after"]
        st.metric(_("Loss on this batch, after the update"), f"{after:.4f}", delta=f"{after - before:+.4f}",
                  delta_color="inverse", help=_("Before the update it was {before:.4f}.").format(before=before))
        st.caption(_("Before the update: {before:.4f}. Learning rate {lr:.3g}. One step of gradient descent "
                     "on this batch moved the weights against the gradient; the loss on the same batch "
                     "went {direction}.").format(before=before, lr=s["lr"],
                                                  direction=_("down") if after < before else _("up")))
        render_tiles(s["dW1"], what=_("What this one step changed in the first {k} units of layer 1 (W1 after "
                                      "− W1 before)").format(k=s["dW1"].shape[1]))


def render_gradcheck(run, settings, error):
    """The article's gradient check on the current network, as a short job in the pool."""
    with st.expander(_("Check backpropagation against numerical gradients")):
        st.caption(_("The article's check: the gradient from the hand-written backward passes against "
                     "central differences, (L(w + h) − L(w − h)) / 2h, one weight at a time, on {n} training "
                     "images in float64. Up to 100 weights of each array are checked (a random sample of the "
                     "large ones).").format(n=BATCH))
        target = _check_target(run, settings, error)
        if isinstance(target, str):
            st.caption(target)
        if st.button(_("Check the gradients"), key="gradcheck", disabled=isinstance(target, str)):
            params, s, what = target
            spec = {**job_spec(s), "task": "gradcheck", "params": params, "iterations": 0, "batch": 0}
            old = st.session_state.get("gradcheck_job")
            if old is not None and old["handle"].state in ("queued", "running"):
                old["handle"].cancel()
            st.session_state.gradcheck_job = {"handle": training_pool().submit(f"{session_id()}:check", spec),
                                          "what": what}
        _check_result()


def _check_target(run, settings, error):
    """(params or None, settings, what is checked), or why the check can't run now."""
    if run is not None and run.active:
        return _("Pause the run to check its gradients.")
    if run is not None and run.params() is not None:
        iteration = (run.progress or {}).get("iteration", 0)
        what = _("the run's network at iteration {iteration:,}").format(iteration=iteration)
        return run.params().copy(), run.settings, what
    if error is not None:
        return _("Fix the settings first.")
    return None, settings, _("the network these settings start from")


@st.fragment
def _check_result():
    job = st.session_state.get("gradcheck_job")
    if job is None:
        return
    h = job["handle"]
    if h.state in ("queued", "running"):
        with st.spinner(_("Checking the gradients…")):
            h.wait_for_change(CHECK_WAIT)
            while h.state == "running":
                h.wait_for_change(CHECK_WAIT)
    if h.state == "done":
        rows = h.result["check"]
        st.write(_("Checked: {what}.").format(what=job["what"]))
        st.table([{_("Parameter"): r["param"], _("Shape"): " × ".join(map(str, r["shape"])),
                   _("Weights checked"): f"{r['checked']:,} / {r['size']:,}",
                   _("Relative error"): f"{r['relative_error']:.2e}",
                   _("Below 1e-7?"): "✓" if r["ok"] else "✗ " + _("no")} for r in rows])
        bad = [r["param"] for r in rows if not r["ok"]]
        if bad:
            st.error(_("Backprop disagrees with the numerical gradient for {names}.").format(names=", ".join(bad)))
        else:
            st.success(_("Every array agrees to better than {threshold:g}: backprop is right.").format(
                threshold=THRESHOLD))
    elif h.state == "queued":
        st.info(_("Every trainer is busy: the check waits in the queue. Press the button again in a moment."))
    else:
        st.error(_("The check could not run; press the button to try again."))
