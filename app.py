"""ffn-digits: train the article's feed-forward network live, then draw a digit for it.

The page only wires widgets to the ``ffn`` library: every computation lives there.
"""
import logging
import time

import numpy as np
import streamlit as st
from PIL import Image
from streamlit_drawable_canvas import st_canvas

import ffn
from ffn import charts
from ffn.network import ACTIVATIONS, WEIGHT_INITS
from ffn.optimizers import OPTIMIZERS
from ffn.schedules import SCHEDULES
from ffn.session import Run
from ffn.settings import APP_LIMITS, PRESETS, check, max_params, total_iters, train_count

TICK = 0.5             # seconds between the timer's restarts of the live-training fragment
CHUNK = 0.25           # seconds of training between redraws: bounds how long a click waits
CHART_EVERY = 1.0      # seconds between redraws of the charts
LOOP = 3.0             # seconds one run of the live-training fragment trains before the timer takes over
CANVAS = 280           # canvas side in CSS pixels
CANVAS_MAX_PIXELS = (4 * CANVAS) ** 2  # the canvas's PNG at a device pixel ratio of up to 4
MODEL_LIMITS = dict(input_size=784, output_size=10, max_params=max_params(APP_LIMITS))
log = logging.getLogger("ffn-digits")
UNREADABLE = object()  # what the canvas gave when its value from the browser was unusable
Image.MAX_IMAGE_PIXELS = CANVAS_MAX_PIXELS  # process-wide: Pillow refuses far larger images too
PRESET_LABELS = {"article": "Article's exact settings",
                 "article_he": "Article's network, He init",
                 "fast": "Fast and accurate"}
DEFAULT_PRESET = "article_he"
OPTIONS = {
    "hidden_size": [8, 16, 32, 64, 128, 256, 512],
    "activation": list(ACTIVATIONS),
    "weight_init": list(WEIGHT_INITS),
    "optimizer": list(OPTIMIZERS),
    "learning_rate": [1e-4, 3e-4, 1e-3, 2e-3, 3e-3, 4e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0, 3.0, 10.0, 100.0],
    "lr_schedule": list(SCHEDULES),
    "batch_size": [16, 32, 64, 100, 128, 200, 256, 512, 1024],
    "weight_decay": [0.0, 1e-5, 1e-4, 1e-3, 1e-2, 0.1],
    "train_size": [1000, 2000, 5000, 10000, 20000, 0],
}
LABELS = {"std": "std 0.01 (article)", "he": "He", "xavier": "Xavier",
          "sgd": "SGD", "momentum": "Momentum", "nesterov": "Nesterov", "adagrad": "AdaGrad",
          "rmsprop": "RMSprop", "adam": "Adam", "relu": "ReLU", "sigmoid": "Sigmoid", "tanh": "Tanh"}

st.set_page_config(page_title="ffn-digits: a neural network you train and test", page_icon="✏️",
                   layout="wide")


@st.cache_resource(show_spinner="Loading MNIST…")
def mnist():
    """MNIST, loaded once per server process and shared read-only by every session."""
    return ffn.load_mnist()


@st.cache_resource(show_spinner="Loading the pretrained model…")
def bundled_model():
    return ffn.load_model()


def preset_widget_values(name):
    """Widget values for a preset: its settings, with the run length in iterations."""
    s = PRESETS[name]
    values = {k: getattr(s, k) for k in ("hidden_size", "activation", "weight_init", "optimizer",
                                         "learning_rate", "lr_schedule", "batch_size", "weight_decay",
                                         "valid_ratio", "train_size", "augment", "seed")}
    values["iters"] = total_iters(s, train_count(s))
    return values


def apply_preset():
    st.session_state.update(preset_widget_values(st.session_state.preset))


def init_state():
    if "preset" not in st.session_state:
        st.session_state.preset = DEFAULT_PRESET
        apply_preset()
    st.session_state.setdefault("run", None)
    st.session_state.setdefault("canvas_id", 0)


def settings_ui():
    """Sidebar: presets and every hyperparameter. Returns (settings, error or None)."""
    sb = st.sidebar
    sb.header("Hyperparameters")
    sb.selectbox("Preset", list(PRESET_LABELS), format_func=PRESET_LABELS.get, key="preset",
                 on_change=apply_preset,
                 help="The article's exact settings stall near 20-30 % accuracy: try them, "
                      "then switch to He init to see why initialisation matters.")
    fmt = lambda v: LABELS.get(v, v)  # noqa: E731
    sb.select_slider("Hidden size H (layers 784 → H → H/2 → 10)", OPTIONS["hidden_size"], key="hidden_size")
    sb.selectbox("Activation", OPTIONS["activation"], format_func=fmt, key="activation")
    sb.selectbox("Weight init", OPTIONS["weight_init"], format_func=fmt, key="weight_init")
    sb.selectbox("Optimizer", OPTIONS["optimizer"], format_func=fmt, key="optimizer")
    sb.select_slider("Learning rate", OPTIONS["learning_rate"], key="learning_rate", format_func=lambda v: f"{v:g}")
    sb.selectbox("Learning-rate schedule", OPTIONS["lr_schedule"], key="lr_schedule")
    sb.select_slider("Batch size", OPTIONS["batch_size"], key="batch_size")
    sb.number_input("Iterations", min_value=10, max_value=APP_LIMITS.max_iters, step=100, key="iters")
    sb.select_slider("Weight decay (L2)", OPTIONS["weight_decay"], key="weight_decay", format_func=lambda v: f"{v:g}")
    sb.slider("Validation ratio", 0.0, 0.3, step=0.05, key="valid_ratio",
              help="The first part of the training set is held out, as in the article.")
    sb.select_slider("Training-set size", OPTIONS["train_size"], key="train_size",
                     format_func=lambda v: "all" if v == 0 else f"{v:,}")
    sb.checkbox("Augment (distort each batch)", key="augment",
                help="Random rotation, scaling, shear, shift and stroke width: slower, but "
                     "the network then reads drawn digits better.")
    sb.number_input("Random seed", min_value=0, max_value=2**31 - 1, step=1, key="seed")
    s = ffn.TrainSettings(**{k: st.session_state[k] for k in (
        "hidden_size", "activation", "weight_init", "optimizer", "learning_rate", "lr_schedule",
        "batch_size", "iters", "weight_decay", "valid_ratio", "train_size", "augment", "seed")})
    try:
        check(s, APP_LIMITS)
    except ValueError as e:
        sb.error(f"These settings can't run here: {e}")
        return s, str(e)
    n_train = train_count(s)
    batch = min(s.batch_size, n_train)  # a batch is never larger than the training set
    sb.caption(f"{s.iters:,} iterations of {batch:,} images = "
               f"{s.iters * batch / n_train:.1f} epochs of {n_train:,} images.")
    return s, None


def controls_ui(settings, error):
    run = st.session_state.run
    busy = run is not None and not run.trainer.done
    c1, c2, c3, c4 = st.columns(4)
    if c1.button("Start", key="start", type="primary", disabled=busy or error is not None,
                 help="Finish or stop the current run first." if busy else None):
        (x, t), _ = mnist()
        try:
            st.session_state.run = Run.start(settings, x, t)
            st.rerun()
        except ValueError as e:  # check() passed, so this is unexpected; still no traceback
            st.error(f"Could not start: {e}")
    if c2.button("Resume" if busy and run.paused else "Pause", key="pause", disabled=not busy):
        run.set_paused(not run.paused)
        st.rerun()
    if c3.button("Stop", key="stop", disabled=not busy):
        run.trainer.stop()
        st.rerun()
    if c4.button("Reset", key="reset", disabled=run is None, help="Forget this run and its charts."):
        st.session_state.run = None
        st.rerun()
    if busy and settings != run.settings:
        st.caption("You changed the settings: they apply to the next run, not this one.")
    if run is not None:
        st.caption("Reloading or closing this page ends the run: it lives only as long as "
                   "this browser tab. Download the model when the run ends to keep it.")


def progress_ui(run):
    tr, p = run.trainer, run.trainer.progress()
    left = "" if p["seconds_left"] is None or tr.done else f" · about {p['seconds_left']:.0f} s left"
    st.progress(min(p["fraction"], 1.0),
                text=f"iteration {p['iteration']:,} / {p['total_iters']:,} · epoch {p['epoch']:.2f} · "
                     f"{p['samples_per_sec']:,.0f} images/s{left}" + (" · paused" if run.paused else ""))
    if tr.warning:
        st.warning(tr.warning)


def train_live():
    """Train and redraw progress and charts, chunk after chunk, for up to LOOP seconds.

    Runs as a fragment on a timer while a run is active. Between chunks it only redraws
    its placeholders, so training does not wait for the browser; a click anywhere
    interrupts it at the end of the current chunk (Streamlit stops a script at its next
    call when a rerun is requested), and the timer picks training up again.
    """
    run = st.session_state.run
    if run is None:
        st.info("Choose settings in the sidebar (or a preset) and press **Start**. The loss and "
                "accuracy curves draw themselves while the network learns.")
        return
    tr = run.trainer
    progress_box = st.empty()
    c1, c2 = st.columns(2)
    loss_box, acc_box = c1.empty(), c2.empty()
    start = time.monotonic()
    drawn = None             # when the charts were last drawn
    shown = (-1, -1)         # (iterations, evaluations) in the charts on screen
    while True:
        if run.active and not run.tick(CHUNK) and run.active:
            time.sleep(0.05)  # another script thread holds the run: wait, don't spin
        now = time.monotonic()
        with progress_box.container():
            progress_ui(run)
        # Charts cost far more to build and send than the progress bar: about once a
        # second, and each only when its data changed (an identical chart drawn twice in
        # one run is also a duplicate element to Streamlit).
        if drawn is None or now - drawn >= CHART_EVERY or not run.active:
            h = tr.history
            if len(h["loss"]) != shown[0]:
                loss_box.plotly_chart(charts.loss_figure(h))
            if len(h["eval_iteration"]) != shown[1]:
                acc_box.plotly_chart(charts.accuracy_figure(h))
            shown, drawn = (len(h["loss"]), len(h["eval_iteration"])), now
        if not run.active or now - start >= LOOP:
            break
    if tr.done:
        if tr.status == "diverged":
            st.error(tr.message)
        else:
            st.success(f"{tr.message} Wall time {run.wall_seconds:.1f} s.")
        _, (x_test, t_test) = mnist()
        if not run.final:
            run.finish(x_test, t_test)
            st.rerun()  # the whole page: stop the timer, enable Start, offer the model
        f = run.final
        m = st.columns(4)
        m[0].metric("Test accuracy (10,000 images)", f"{f['test']:.2%}")
        m[1].metric("Training accuracy", f"{f['train']:.2%}")
        if "valid" in f:
            m[2].metric("Validation accuracy", f"{f['valid']:.2%}")
        m[3].download_button("Download this model (.npz)", run.model_file, file_name="ffn-model.npz",
                             mime="application/octet-stream", key="download", on_click="ignore")


def train_tab(settings, error):
    controls_ui(settings, error)
    run = st.session_state.run
    every = TICK if run is not None and run.active else None
    st.fragment(train_live, run_every=every)()


def model_choice_ui():
    """Pick the model that reads the drawing; returns the network."""
    models = {"bundled": (bundled_model(), "Pretrained")}
    run = st.session_state.run
    if run is not None and run.final:
        models["session"] = (run.trainer.net, "Trained in this session")
    if st.session_state.get("uploaded_model") is not None:
        models["uploaded"] = (st.session_state.uploaded_model, "Uploaded")
    if st.session_state.get("model_choice") not in models:
        st.session_state.model_choice = "bundled"

    def label(k):
        net, name = models[k]
        acc = getattr(net, "meta", {}).get("test_accuracy") if k != "session" else run.final.get("test")
        return f"{name} ({acc:.1%} on MNIST test)" if isinstance(acc, (int, float)) else name

    key = st.radio("Model", list(models), format_func=label, key="model_choice", horizontal=True)
    return models[key][0]


def upload_ui():
    up = st.file_uploader("Use your own model (.npz saved by this app or `python -m ffn.train --out`)",
                          type=["npz"], key="upload")
    if up is None:
        # Cleared: release the model now. Deleting drops every reference session state
        # keeps; assigning None would keep the old value until the next rerun.
        for key in ("uploaded_model", "upload_error", "upload_id"):
            st.session_state.pop(key, None)
        return
    if st.session_state.get("upload_id") != up.file_id:  # validate each file once, not per stroke
        model, error = None, None
        try:
            model = ffn.load_model(up.getvalue(), **MODEL_LIMITS)
        except ValueError as e:
            error = str(e)
        except Exception:  # load_model raises only ValueError; anything else is a bug, kept off the page
            log.exception("unexpected error while loading an uploaded model")
            error = "the file could not be read"
        # marked as handled only once handled, so the message survives every rerun
        st.session_state.uploaded_model, st.session_state.upload_error = model, error
        st.session_state.upload_id = up.file_id
    if st.session_state.get("upload_error"):
        st.error("That file can't be used. What the check found:")
        st.code(st.session_state.upload_error, language=None, wrap_lines=True)


def draw_tab():
    """Model choice; canvas, clear button and prediction; pen width and model upload."""
    top, middle, bottom = st.container(), st.container(), st.container()
    with bottom:  # first, so that a model uploaded just now is offered at once
        c1, _ = st.columns([1, 1.3])
        c1.slider("Pen width", 8, 40, 20, key="brush")
        upload_ui()
    with top:
        net = model_choice_ui()
    with middle:
        draw_panel(net)


def read_drawing(canvas):
    """The network's input from the canvas, or None when it is blank or absent.

    The browser sends a PNG data URL that a modified client can fill with anything, so
    the image's size is read from its header before a pixel is decoded. Raises
    ValueError for anything that is not a readable drawing of a sensible size.
    """
    if canvas is None:
        return None
    if canvas is UNREADABLE:
        raise ValueError("the canvas sent a value it could not use")
    try:
        png = canvas.image_bytes
    except Exception as e:  # not a string, no base64 part, bad base64...
        raise ValueError("it did not arrive as a PNG image") from e
    if png is None:
        return None
    return ffn.preprocess_canvas(ffn.decode_png(png, CANVAS_MAX_PIXELS))


@st.fragment
def draw_panel(net):
    """The canvas and what the network makes of the drawing.

    A fragment, and a small one: a stroke reruns only this. While the live-training
    fragment is running, Streamlit queues this one behind it (a fragment's rerun does
    not interrupt another's), so predictions then lag by up to LOOP seconds.
    """
    left, right = st.columns([1, 1.3])
    with left:
        st.markdown("**Draw a digit (0-9)** with the mouse, as large as the box allows.")
        try:
            canvas = st_canvas(stroke_width=st.session_state.get("brush", 20), stroke_color="#000000",
                               background_color="#FFFFFF", height=CANVAS, width=CANVAS,
                               drawing_mode="freedraw", return_image_data=True, key="canvas",
                               initial_drawing={"objects": [], "clears": st.session_state.canvas_id})
        except Exception:  # the component's value comes from the browser: anything may arrive
            log.warning("unreadable canvas value", exc_info=True)
            canvas = UNREADABLE
        if st.button("Clear", key="clear"):
            st.session_state.canvas_id += 1  # a new, empty initial drawing clears the canvas
            st.rerun(scope="fragment")
    with right:
        try:
            x = read_drawing(canvas)
        except ValueError as e:
            st.error(f"The drawing could not be read ({e}). Press Clear and draw again.")
            return
        run = st.session_state.run
        if run is not None and run.active:
            st.caption("The network is training: the drawing is read between bursts of "
                       "training, so the prediction may take a few seconds. Pause to make it instant.")
        if x is None:
            st.info("The canvas is empty. Draw a digit and the network's guess appears here, "
                    "with the probability it gives each of the ten digits.")
            return
        try:
            proba = net.predict_proba(x)[0]
            if not np.all(np.isfinite(proba)):
                raise ValueError(f"non-finite probabilities {proba}")
        except Exception:
            log.exception("a model failed to read a drawing")
            st.error("This model could not read the drawing. Choose another model above.")
            return
        digit = int(proba.argmax())
        c1, c2 = st.columns([1, 1])
        c1.metric("Prediction", str(digit), delta=f"{proba[digit]:.1%} confident", delta_color="off",
                  delta_arrow="off", help="The digit with the highest softmax probability.")
        c2.image(ffn.network_view(x, scale=5), caption="What the network sees: 28×28, "
                 "centred like MNIST", width=140)
        st.plotly_chart(charts.probability_figure(proba), key="proba_chart")


def main():
    init_state()
    st.title("ffn-digits")
    st.caption("A feed-forward network, 784 → H → H/2 → 10, written by hand in NumPy: Affine, "
               "ReLU/Sigmoid/Tanh and Softmax-with-loss layers, trained by backpropagation. "
               "Train it, then draw a digit and watch it decide.")
    settings, error = settings_ui()
    train, draw = st.tabs(["Train", "Draw"])
    with draw:
        draw_tab()
    with train:
        train_tab(settings, error)


main()
