"""The class board's figures (Plotly): a setting against test accuracy, one dot a run, coloured
and shaped by a second setting; and how the class answered a question. Okabe-Ito colours,
each with its own marker shape, so that colour is never the only cue."""
import html
import math

import plotly.graph_objects as go

from .charts import LAYER_COLOURS
from .i18n import _

SHAPES = ["circle", "square", "diamond", "triangle-up", "cross", "x", "star", "hexagon"]
# the scatter's toolbar holds one button: save it as PNG (named for the class's record)
SCATTER_CONFIG = {"displayModeBar": True, "displaylogo": False,
                  "modeBarButtons": [["toImage"]], "toImageButtonOptions": {"format": "png",
                                                                            "filename": "class-scatter",
                                                                            "scale": 2}}


def _numbers(values):
    return all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)


def scatter_figure(points, x_title, colour_title=None, shown=str):
    """Test accuracy (y) against a setting (x), one dot a run; ``points`` from
    :func:`board.figures.scatter`; ``shown(value)`` words a setting's value. A numeric setting
    spread over more than 20x is on a log axis (a learning rate); any other is categorical."""
    fig = go.Figure()
    xs = points["x"]
    numeric = bool(xs) and _numbers(xs)
    groups = list(dict.fromkeys(points["colour"])) if colour_title else [None]
    for i, group in enumerate(groups):
        idx = [k for k, c in enumerate(points["colour"]) if not colour_title or c == group]
        fig.add_scatter(
            x=[xs[k] if numeric else shown(xs[k]) for k in idx], y=[points["test"][k] for k in idx],
            mode="markers", name=shown(group) if colour_title else _("runs"), showlegend=bool(colour_title),
            marker=dict(size=14, color=LAYER_COLOURS[i % len(LAYER_COLOURS)], symbol=SHAPES[i % len(SHAPES)],
                        line=dict(width=1, color="#000000")),
            customdata=[html.escape(points["student"][k], quote=False) for k in idx],  # a nickname: as text
            hovertemplate="%{customdata}: %{y:.2%}<extra></extra>")
    if numeric and min(xs) > 0 and max(xs) / min(xs) > 20:
        fig.update_xaxes(type="log")
    elif not numeric:
        fig.update_xaxes(type="category")
    fig.update_yaxes(tickformat=".0%", title=_("test accuracy"))
    fig.update_xaxes(title=x_title)
    fig.update_layout(height=420, margin=dict(l=10, r=10, t=30, b=10), legend_title_text=colour_title or "",
                      dragmode=False)
    return fig


def answers_figure(counts, texts, right=None):
    """How many students gave each answer (``counts``: answer -> students, in ``texts``' order,
    ``texts``: answer -> its words), the right one hatched and marked."""
    names = list(texts) + [a for a in counts if a not in texts]
    n = [counts.get(a, 0) for a in names]
    words = [texts.get(a, str(a)) + (" ✓" if a == right else "") for a in names]
    fig = go.Figure(go.Bar(
        x=n, y=words, orientation="h", text=[str(v) for v in n], textposition="outside", cliponaxis=False,
        marker_color=[LAYER_COLOURS[2] if a == right else LAYER_COLOURS[0] for a in names],
        marker_pattern_shape=["/" if a == right else "" for a in names],
        hovertemplate="%{y}: %{x}<extra></extra>"))
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(title=_("students"), range=[0, max(1, max(n, default=0)) * 1.25], dtick=max(1, math.ceil(
        max(n, default=1) / 5)))
    fig.update_layout(height=90 + 40 * len(names), margin=dict(l=10, r=10, t=10, b=10), dragmode=False)
    return fig
