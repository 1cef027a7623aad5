"""The Draw tab: the model choice, the canvas, and what the network makes of the drawing."""
import logging

import numpy as np
import streamlit as st
from PIL import Image
from streamlit_drawable_canvas import st_canvas

import ffn

from . import charts, class_send, diagram_panel, health_panel, inside_panel, layout, model_panel
from .layout import PRESENT_CANVAS, VIEWS
from .i18n import _, labels

CANVAS_MAX_PIXELS = (4 * PRESENT_CANVAS) ** 2  # the largest canvas's PNG at a device pixel ratio of up to 4
Image.MAX_IMAGE_PIXELS = CANVAS_MAX_PIXELS  # process-wide: Pillow refuses far larger images too
UNREADABLE = object()  # what the canvas gave when its value from the browser was unusable
log = logging.getLogger("ffn-digits")


def render():
    """Model choice and view; canvas, Clear and the chosen view; pen width and model upload."""
    top, middle, bottom = st.container(), st.container(), st.container()
    with bottom:  # first, so that a model uploaded just now is offered at once
        c1, _c2 = st.columns([1, 1.3])
        c1.slider(_("Pen width"), 8, 40, 20, key="brush")
        model_panel.render_upload()
        kept_download = st.container()
    with top:
        models, views = st.columns([1.5, 1])  # one row: the canvas starts high on a projector
        with models:
            chosen, net = model_panel.render_choice()
    # outside the drawing's fragment: a stroke's rerun draws no more widgets than before
    view = views.radio(_("View"), list(VIEWS), format_func=labels(VIEWS), key="view", horizontal=True)
    with kept_download:  # below the canvas: above it, it would push the canvas down
        model_panel.render_kept_download(chosen)
    with middle:
        _drawing(net, view)
    with bottom:
        health_panel.render_model_tiles(net, chosen)


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
def _drawing(net, view):
    """The canvas and what the network makes of the drawing.

    A fragment, and a small one: a stroke reruns only this. The Train tab's live fragment
    stops polling while this tab is shown (the run goes on in its worker), so a drawing
    never waits behind it; a run that has ended meanwhile reruns the whole page once, at
    the next stroke, so that its model joins the choices.
    """
    run = st.session_state.get("run")
    if run is not None and run.ended_since_sync():
        run.sync()  # first: the rerun then finds it ended, and reruns no more
        st.rerun()
    cleared = st.session_state.pop("cleared", False)
    # the chosen view beside the canvas, where the prediction was: switching views shows at once
    left, right = st.columns([1, 1.3] if view == "prediction" else [1, 1.8])  # the canvas fits at 1280 px
    middle_wide = st.container()  # the network view: below both
    with left:
        st.markdown(_("**Draw a digit (0-9)** with the mouse or a finger, as large as the box allows."))
        with st.container(key="canvas_box"):
            canvas = _canvas()
        phone_line = st.container(key="phone_prediction")  # a phone's screen ends about here
        st.button(_("Clear"), key="clear", on_click=_clear)
    with right:
        try:
            x = None if cleared else read_drawing(canvas)
        except ValueError:
            log.info("unreadable drawing", exc_info=True)
            st.error(_("The drawing could not be read. Press Clear and draw again."))
            return
        with left:  # a student in a class: which digit it is, and Send to the class
            class_send.drawing_row(x)
        if x is None:
            st.info(_("The canvas is empty. Draw a digit and the network's guess appears here, "
                      "with the probability it gives each of the ten digits."))
            if view == "network":  # the network waits for the drawing: the next one updates it in place
                with middle_wide:
                    _explained(diagram_panel.render)(net, None)
            return
        proba = _probabilities(net, x)
        if proba is None:
            return
        digit = int(proba.argmax())
        st.session_state.last_read = digit  # for a guided lesson's check ("a drawing was read as 7")
        phone_line.markdown(_("Read as **{digit}**, {p:.1%} confident").format(digit=digit, p=proba[digit]))
        # only the chosen view is computed: the Prediction view costs what it always did
        if view == "prediction":
            _prediction(x, proba)
            return
        with st.container(key="prediction"):
            st.metric(_("Prediction"), str(digit), delta=_("{p:.1%} confident").format(p=proba[digit]),
                      delta_color="off", delta_arrow="off")
        if view == "network":  # the whole width, under the canvas: its outputs carry the probabilities
            with middle_wide:
                _explained(diagram_panel.render)(net, x)
            return
        with st.container(key="look_view"):
            _explained(inside_panel.render_inside if view == "inside" else inside_panel.render_why)(net, x)


def _clear():
    """Before the fragment's run: a new, empty initial drawing clears the canvas. The canvas
    still sends the drawing it held in this run, and its empty one in the next: this run
    reads none (one run of the fragment, and a light one, where a rerun read the old drawing
    twice more)."""
    st.session_state.canvas_id += 1
    st.session_state.cleared = True


def _canvas():
    try:
        return st_canvas(stroke_width=st.session_state.get("brush", 20), stroke_color="#000000",
                         background_color="#FFFFFF", height=layout.canvas_size(), width=layout.canvas_size(),
                         drawing_mode="freedraw", return_image_data=True, key="canvas",
                         initial_drawing={"objects": [], "clears": st.session_state.canvas_id})
    except Exception:  # the component's value comes from the browser: anything may arrive
        log.warning("unreadable canvas value", exc_info=True)
        return UNREADABLE


def _explained(render):
    """``render(net, x)``, or a message if this network cannot be explained (a bug, logged)."""
    def view(net, x):
        try:
            render(net, x)
        except Exception:
            log.exception("an inside view failed")
            st.error(_("This view could not be drawn for this model. The Prediction view still works."))
    return view


def _probabilities(net, x):
    """The ten probabilities, or None and a message if this model fails on the drawing."""
    try:
        proba = net.predict_proba(x)[0]
        if not np.all(np.isfinite(proba)):
            raise ValueError(f"non-finite probabilities {proba}")
        return proba
    except Exception:
        log.exception("a model failed to read a drawing")
        st.error(_("This model could not read the drawing. Choose another model above."))
        return None


def _prediction(x, proba):
    digit = int(proba.argmax())
    # on a projector the probabilities stand beside the digit, above the fold; elsewhere below it
    c1, c2 = st.columns([1, 2.2] if layout.presenting() else [1, 1])
    with c1.container(key="prediction"):
        st.metric(_("Prediction"), str(digit), delta=_("{p:.1%} confident").format(p=proba[digit]),
                  delta_color="off", delta_arrow="off",
                  help=_("The digit with the highest softmax probability."))
    seen = c1 if layout.presenting() else c2
    seen.image(ffn.network_view(x, scale=5), caption=_("What the network sees: 28×28, centred like MNIST"),
               width=140)
    charts.plot(c2 if layout.presenting() else st, charts.probability_figure(proba), key="proba_chart")
