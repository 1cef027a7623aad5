"""The Evaluate tab: a model on the 10,000 test images: its confusion matrix with a
drill-down into any cell, its most confident mistakes, and each digit's accuracy."""
import numpy as np
import streamlit as st

from ffn.evaluate import cell, evaluate

from . import compare_charts, model_panel
from .i18n import _
from .resources import test_set

DRILL = 40     # images shown from one cell
MISTAKES = 24  # the most confident mistakes shown
KEEP = 8       # evaluations a session keeps (one per model it looked at)


@st.cache_resource(show_spinner=False)
def _bundled_evaluation(_net):
    x, t = test_set()
    return evaluate(_net, x, t)


def evaluation(key, net):
    """``ffn.evaluate`` of ``net`` on the test set, once per model: the bundled model's is shared
    by every session, the others are kept in the session (the network with its result)."""
    if key == "bundled":
        return _bundled_evaluation(net)
    cache = st.session_state.setdefault("evaluations", {})
    held = cache.get(key)
    if held is None or held[0] is not net:
        x, t = test_set()
        cache.pop(key, None)
        cache[key] = (net, evaluate(net, x, t))
        while len(cache) > KEEP:
            cache.pop(next(iter(cache)))
    return cache[key][1]


def render():
    key, net = model_panel.render_choice(key="eval_model")
    with st.spinner(_("Measuring the model on 10,000 test images…")):
        r = evaluation(key, net)
    x, t = test_set()
    wrong = len(r["mistakes"])
    st.metric(_("Test accuracy (10,000 images)"), f"{r['accuracy']:.2%}",
              help=_("{wrong:,} of the 10,000 test images are read wrong.").format(wrong=wrong))
    left, right = st.columns([1.1, 1])
    with left:
        normalised = st.toggle(_("Share of each row"), key="confusion_normalised",
                               help=_("Each true digit's row as shares of its images, instead of counts"))
        event = st.plotly_chart(compare_charts.confusion_figure(r["confusion"], normalised), key="confusion_chart",
                                on_select="rerun", selection_mode="points", config={"displayModeBar": False})
        st.caption(_("Rows: the true digit. Columns: what the network read. The diagonal is right; every "
                     "other cell is a kind of mistake. Click a cell, or choose it below, to see its images."))
    with right:
        _drill(event, r, x, t)
    with st.container(key="mistakes_panel"):
        st.subheader(_("The most confident mistakes"))
        st.caption(_("The {n} test images the network got wrong while most sure of itself: true digit → what it "
                     "read, and the probability it gave that.").format(n=MISTAKES))
        _gallery(x, r["mistakes"][:MISTAKES], t, r)
        st.plotly_chart(compare_charts.per_class_figure(r["per_class"]), key="per_class_chart")


def _drill(event, r, x, t):
    points = (event or {}).get("selection", {}).get("points", []) if event else []
    if points:  # a click on a cell chooses it, once: the select boxes stay free to change after
        pick = (int(points[0]["y"]), int(points[0]["x"]))
        if st.session_state.get("cell_pick") != pick:
            st.session_state.cell_pick = pick
            st.session_state.drill_true, st.session_state.drill_pred = pick
    if "drill_true" not in st.session_state:  # start on the most frequent mistake
        off = r["confusion"] - np.diag(np.diag(r["confusion"]))
        st.session_state.drill_true, st.session_state.drill_pred = map(int, np.unravel_index(np.argmax(off), off.shape))
    c1, c2 = st.columns(2)
    true = c1.selectbox(_("True digit"), list(range(10)), key="drill_true")
    pred = c2.selectbox(_("Read as"), list(range(10)), key="drill_pred")
    n = int(r["confusion"][true, pred])
    idx = cell(r, t, true, pred, limit=DRILL)
    if n == 0:
        st.info(_("No test image of a {true} was read as {pred}.").format(true=true, pred=pred))
        return
    shown = _("{n:,} images, all shown").format(n=n) if n <= DRILL else _(
        "{shown} of {n:,} images, the most confident first").format(shown=DRILL, n=n)
    st.caption((_("True {true}, read as {pred}: ") if true != pred else _("True {true}, read right: ")).format(
        true=true, pred=pred) + shown)
    _gallery(x, idx, t, r)


def _gallery(x, idx, t, r):
    """Test images ``idx``, each captioned with its true digit, what was read and its probability."""
    if len(idx) == 0:
        return
    images = [np.kron(255 - x[i].reshape(28, 28), np.ones((3, 3), dtype=np.uint8)) for i in idx]
    captions = [f"{t[i]}→{r['predicted'][i]} {r['confidence'][i]:.0%}" for i in idx]
    st.image(images, caption=captions, width=84)
