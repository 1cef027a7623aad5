"""The Draw tab's network view: the whole network for the drawing on one screen
(:mod:`ui.diagram_charts`), computed by :func:`ffn.diagram.forward`. A click on a circle
opens that unit's arithmetic in the Inside view."""
import streamlit as st

from ffn.diagram import EDGES, SHOWN, forward

from . import charts, diagram_charts, layout
from .health_charts import layer_tags
from .i18n import _

CHART = "network_chart"


def render(net, x):
    """The diagram of drawing ``x`` through ``net``, with its toggle for every unit as a strip."""
    d = forward(net, x)
    c1, c2 = st.columns(2)
    strips = c1.toggle(_("Every unit, as a strip"), key="diagram_strips",
                       help=_("Beside each hidden layer's circles: all its units, in order, coloured alike."))
    c2.caption(_("Circles: the {k} most active units of each layer. Lines: the {e} strongest inputs "
                 "(activation × weight) into each; orange and solid raise the sum, blue and dashed lower "
                 "it. Click a circle for its arithmetic.").format(k=SHOWN, e=EDGES))
    tags = layer_tags(net.config())
    titles, notes = [_("input 28×28")], [""]
    last = len(d["columns"])
    for layer, c in enumerate(d["columns"], 1):
        n = len(c["values"])
        if layer == last:
            titles.append(_("softmax: 10 digits"))
            notes.append("")
            continue
        titles.append(_("layer {i}: {n}").format(i=layer, n=n))
        shown = (_("top {k} of {n}").format(k=n - c["hidden"], n=n) if c["hidden"] else
                 _("all {n}").format(n=n))
        tag = tags[layer - 1]
        notes.append(_("{shown}; {tags}").format(shown=shown, tags=tag) if tag else shown)
    fig = diagram_charts.figure(d, net.activation, titles, notes, presenting=layout.presenting(),
                                strips=strips)
    with st.container(key="network_box"):
        charts.plot(st, fig, key=CHART, scaled=True, on_select=_clicked, selection_mode="points")


def _clicked():
    """A click on a hidden unit: the Inside view, at that unit's arithmetic."""
    points = st.session_state[CHART].selection.points
    if not points:
        return
    layer, unit, _value = points[0]["customdata"]
    from .inside_panel import unit_key
    st.session_state.view = "inside"
    st.session_state.inside_layer = int(layer)
    st.session_state[unit_key(int(layer))] = int(unit)
