"""The Draw tab's network view: the whole network for the drawing on one screen
(:mod:`ui.diagram_charts`), computed by :func:`ffn.diagram.forward`. A click on a circle
opens that unit's arithmetic in the Inside view."""
import hashlib

import numpy as np
import streamlit as st

from ffn.diagram import EDGES, SHOWN, forward, waiting

from . import backward_charts, charts, diagram_charts, layout
from .health_charts import layer_tags
from .i18n import _
from .inside_panel import unit_key

CHART = "network_chart"
# Presses the chart's own ▶ once a new drawing's diagram is on the page (a Plotly animation
# starts only from a button): called again only when its data, the drawing, changes.
_autoplay = st.components.v2.component("ffn_network_autoplay", isolate_styles=False, js="""
export default function ({ data }) {
  const began = Date.now();
  const press = () => {
    const chart = document.querySelector('.st-key-network_box .js-plotly-plot');
    const button = document.querySelector('.st-key-network_box .updatemenu-button');
    if (chart && button && chart.layout && chart.layout.meta === data.drawing) {  // this drawing's chart
      button.dispatchEvent(new MouseEvent('click', { bubbles: true }));
    } else if (Date.now() - began < 3000) setTimeout(press, 50);
  };
  press();
}
""")


def render(net, x):
    """The diagram of drawing ``x`` through ``net`` (None: the network waiting for a drawing), with
    its toggles: every unit as a strip, and the forward animation."""
    if st.session_state.pop("diagram_opened", False):
        st.rerun()  # a click chose a unit: the whole page (this is the drawing's fragment), in Inside
    d = forward(net, x) if x is not None else waiting(net)
    c1, c2 = st.columns(2)
    strips = c1.toggle(_("Every unit, as a strip"), key="diagram_strips",
                       help=_("Beside each hidden layer's circles: all its units, in order, coloured alike."))
    animate = c1.toggle(_("The signal travels, layer by layer"), value=True, key="diagram_animate",
                        help=_("After each stroke, the layers light up from left to right, in about a "
                               "second. ▶ at the bottom left plays it again."))
    c2.caption(_("Circles: the {k} most active units of each layer. Lines: the {e} strongest inputs "
                 "(activation × weight) into each; orange and solid raise the sum, blue and dashed lower "
                 "it. Click a circle for its arithmetic.").format(k=SHOWN, e=EDGES))
    titles, notes = _column_words(d["columns"], layer_tags(net.config()))
    drawing = None if x is None else hashlib.blake2b(np.asarray(x).tobytes(), digest_size=8).hexdigest()
    fig = diagram_charts.figure(d, net.activation, titles, notes, presenting=layout.presenting(),
                                strips=strips and x is not None, animate=animate and x is not None,
                                play=_("▶ forward"))
    fig.update_layout(meta=drawing)  # which drawing the chart holds: the ▶ is pressed for it alone
    with st.container(key="network_box"):
        charts.plot(st, fig, key=CHART, scaled=True, on_select=_clicked, selection_mode="points")
    if animate and x is not None:  # played in the browser, once for each new drawing: never a rerun a frame
        with st.container(key="network_play"):
            _autoplay(key="network_autoplay", data={"drawing": drawing}, height=0)


def _column_words(columns, tags, norms=None):
    """Each column's title, and its note: how many units it shows, its tricks, and (a Step's
    backward) its ||dW||."""
    titles, notes = [_("input 28×28")], [""]
    for layer, c in enumerate(columns, 1):
        n, last = len(c["values"]), layer == len(columns)
        titles.append(_("softmax: 10 digits") if last else _("layer {i}: {n}").format(i=layer, n=n))
        parts = [] if last else [_("top {k} of {n}").format(k=n - c["hidden"], n=n) if c["hidden"] else
                                 _("all {n}").format(n=n), *tags[layer - 1].split(_(", "))]  # a line a trick
        if norms is not None:
            parts.append("‖dW‖ = {:.1e}".format(norms[layer - 1]))
        notes.append("<br>".join(p for p in parts if p))  # a line each: the columns stand close
    return titles, notes


def render_backward(step, cfg):
    """A Step's backward pass (its ``backward`` from :func:`ffn.diagram.backward`) for a network of
    config ``cfg``, under the Step panel."""
    b = step["backward"]
    titles, notes = _column_words(b["columns"], layer_tags(cfg), b["norms"])
    st.markdown(_("**Backward, for this step**: the error at the outputs for the batch's first image, "
                  "shown at the left (y − t: its probabilities minus its label), each unit's gradient on "
                  "the whole batch flowing right to left (one log scale for every layer: pale is small), "
                  "and the weights this step changed most."))
    fig = backward_charts.figure(b, step["images"][0] / 255.0, titles, notes,
                                         presenting=layout.presenting())
    with st.container(key="network_back_box"):
        charts.plot(st, fig, key="network_back_chart", scaled=True)


def _clicked():
    """A click on a hidden unit: the Inside view, at that unit's arithmetic."""
    points = st.session_state[CHART].selection.points
    if not points:
        return
    layer, unit, _value = points[0]["customdata"]
    st.session_state.view = "inside"
    st.session_state.inside_layer = int(layer)
    st.session_state[unit_key(int(layer))] = int(unit)
    st.session_state.diagram_opened = True
