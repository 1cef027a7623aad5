"""The Evaluate tab: a model on the 10,000 test images: its confusion matrix with a
drill-down into any cell, its most confident mistakes, and each digit's error rate."""
import numpy as np
import streamlit as st

from ffn.evaluate import cell, commonest_mistake, evaluate

from . import charts, compare_charts, model_panel, state
from .i18n import _
from .resources import bundled_evaluation, test_set

DRILL = 40     # images shown from one cell
MISTAKES = 24  # the most confident mistakes shown


def evaluation(key, net, options):
    """``ffn.evaluate`` of ``net`` on the test set, once per model: the bundled model's is shared
    by every session; the others are kept in the session while their model is on offer
    (``options``, from :func:`ui.model_panel.models`), the model (a network or a run's model
    file) with its result."""
    if key == "bundled":
        return bundled_evaluation()
    cache = st.session_state.setdefault("evaluations", {})
    for k in [k for k, (n, _r) in cache.items() if k not in options or options[k][0] is not n]:
        del cache[k]  # a forgotten run, a removed upload: their networks go
    if key not in cache:
        x, t = test_set()
        with st.spinner(_("Measuring the model on 10,000 test images…")):
            cache[key] = (options[key][0], evaluate(net, x, t))
    return cache[key][1]


def _pick_cell():
    """A click on the confusion matrix (its invisible marker at a cell's centre) chooses the cell:
    run before the script, so the select boxes below show it."""
    points = st.session_state.confusion_chart.selection.points
    if points:
        st.session_state.drill_true, st.session_state.drill_pred = int(points[0]["y"]), int(points[0]["x"])


CHOICES = ("eval_model", "confusion_normalised", "drill_true", "drill_pred")  # the tab's widgets


def keep_choices():
    """While the tab is closed its widgets are not drawn: their values stay for when it opens again."""
    state.keep(*CHOICES)


def render():
    options = model_panel.models()
    key, net = model_panel.render_choice(key="eval_model", options=options)
    r = evaluation(key, net, options)
    x, t = test_set()
    wrong = len(r["mistakes"])
    st.metric(_("Test accuracy (10,000 images)"), f"{r['accuracy']:.2%}",
              help=_("{wrong:,} of the 10,000 test images are read wrong.").format(wrong=wrong))
    left, right = st.columns([1.1, 1])
    with left:
        normalised = st.toggle(_("Share of each row"), key="confusion_normalised",
                               help=_("Each true digit's row as shares of its images, instead of counts"))
        charts.plot(st, compare_charts.confusion_figure(r["confusion"], normalised), key="confusion_chart",
                    on_select=_pick_cell, selection_mode="points")
        st.caption(_("Rows: the true digit. Columns: what the network read. The grey diagonal is right; "
                     "every other cell is a kind of mistake, the commonest in the darkest orange. Click a "
                     "cell, or choose it below, to see its images."))
    with right:
        _drill(r, x, t)
    with st.container(key="mistakes_panel"):
        st.subheader(_("The most confident mistakes"))
        st.caption(_("The {n} test images the network got wrong while most sure of itself: "
                     "true digit → what it read, and the probability it gave that.").format(n=MISTAKES))
        _gallery(x, r["mistakes"][:MISTAKES], t, r)
        charts.plot(st, compare_charts.per_class_figure(r["per_class"]), key="per_class_chart")


def _drill(r, x, t):
    if "drill_true" not in st.session_state:  # start on the most frequent mistake
        st.session_state.drill_true, st.session_state.drill_pred = commonest_mistake(r["confusion"])
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
    head = _("True {true}, read as {pred}: ") if true != pred else _("True {true}, read right: ")
    st.caption(head.format(true=true, pred=pred) + shown)
    _gallery(x, idx, t, r)


def _gallery(x, idx, t, r):
    """Test images ``idx``, each captioned with its true digit, what was read and its probability."""
    if len(idx) == 0:
        return
    images = [np.kron(255 - x[i].reshape(28, 28), np.ones((3, 3), dtype=np.uint8)) for i in idx]
    captions = [f"{t[i]}→{r['predicted'][i]} {r['confidence'][i]:.0%}" for i in idx]
    st.image(images, caption=captions, width=84)
