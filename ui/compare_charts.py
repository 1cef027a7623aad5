"""Figures for comparing runs (overlays on a chosen axis) and for evaluating a model (the
confusion matrix, each digit's error rate). Okabe-Ito colours, with line styles, numbers
or hatching besides."""
import numpy as np
import plotly.graph_objects as go

from ffn.compare import x_values
from ffn.evaluate import row_shares

from .charts import BLUE, LAYER_COLOURS, LAYER_DASHES, ORANGE, figure_layout, log_yaxis
from .i18n import N_, _

# What belongs to a run, whatever the server's load: no clock time (the same network trained
# twice can take 7.5 s or 15 s). Iterations first, as on the live charts.
AXES = {"iteration": N_("iterations"), "epochs": N_("epochs"), "images": N_("images seen")}


def _x(kept, iterations, axis):
    return x_values(iterations, kept.settings, axis)


def _layout(fig, title, xtitle, ytitle, log=False):
    """The charts' common layout (:func:`ui.charts.figure_layout`), the legend under the plot."""
    yaxis = log_yaxis([y for trace in fig.data for y in trace.y]) if log else None
    fig.update_layout(**figure_layout(title, xtitle, ytitle, height=340, yaxis=yaxis,
                                      legend=dict(orientation="h", yanchor="top", y=-0.25, x=0)))
    return fig


def _line(fig, i, x, y, label):
    finite = np.isfinite(y)
    fig.add_scatter(x=x[finite], y=y[finite], mode="lines", name=label,
                    line=dict(width=2, color=LAYER_COLOURS[i % len(LAYER_COLOURS)],
                              dash=LAYER_DASHES[i % len(LAYER_DASHES)]))


def loss_overlay(kept, labels, axis):
    """Each run's smoothed loss."""
    fig = go.Figure()
    for i, k in enumerate(kept):
        h = k.history  # the loss smoothed and thinned already (ui.kept.compact)
        if len(h["loss_smooth"]):
            _line(fig, i, _x(k, h["iteration"], axis), h["loss_smooth"], labels[k.number])
    fig.add_hline(y=np.log(10), line_dash="dot", line_color="grey", annotation_text=_("ln 10: guessing"),
                  annotation_position="top right")
    return _layout(fig, _("Loss (smoothed)"), _(AXES[axis]), _("cross-entropy"))


def accuracy_overlay(kept, labels, axis, series):
    """Each run's accuracy (``series``: valid_acc or train_acc) at its evaluations."""
    fig = go.Figure()
    for i, k in enumerate(kept):
        h = k.history
        y = np.asarray(h.get(series, []), dtype=np.float64)
        if len(y):
            _line(fig, i, _x(k, h["eval_iteration"][:len(y)], axis), y, labels[k.number])
    fig.update_yaxes(range=[0, 1], tickformat=".0%")
    title = _("Validation accuracy") if series == "valid_acc" else _("Training accuracy")
    return _layout(fig, title, _(AXES[axis]), _("accuracy"))


def gradient_overlay(kept, labels, axis, layer):
    """Each run's gradient norm of one layer (0 for the first), on a log scale."""
    fig = go.Figure()
    for i, k in enumerate(kept):
        g = np.asarray(k.history.get("grad_norm", []), dtype=np.float64)
        if g.ndim == 2 and g.shape[1] > layer:
            y = np.where(g[:, layer] > 0, g[:, layer], np.nan)
            _line(fig, i, _x(k, k.history["health_iteration"], axis), y, labels[k.number])
    return _layout(fig, _("Layer {n}'s gradient norm ‖dW‖").format(n=layer + 1), _(AXES[axis]),
                   _("‖dW‖ (log scale)"), log=True)


RIGHT_COLOURS = [[0, "#f7f7f7"], [1, "#bdbdbd"]]  # the diagonal: neutral greys
WRONG_COLOURS = [[0, "#ffffff"], [1, ORANGE]]      # the mistakes: white to orange, on a scale of their own


def _cells(z, text, keep, colours):
    """A heatmap of the cells where ``keep`` is true (the others left out: a gap), coloured
    from 0 to the largest of them."""
    values = [[float(v) if k else None for v, k in zip(zr, kr)] for zr, kr in zip(z, keep)]
    top = max((v for row in values for v in row if v is not None), default=0.0)
    shown = [[t if k else "" for t, k in zip(tr, kr)] for tr, kr in zip(text, keep)]
    digits = [str(d) for d in range(len(z))]
    return dict(type="heatmap", z=values, x=digits, y=digits, text=shown, texttemplate="%{text}",
                colorscale=colours, zmin=0, zmax=top or 1.0, showscale=False, hoverinfo="skip")


def confusion_figure(confusion, normalised=False):
    """The confusion matrix as a heatmap with its counts (or row shares) written in the cells:
    the diagonal in neutral greys, the mistakes in orange on a scale set by the commonest
    mistake (on one scale, the diagonal's thousands would leave every mistake white); and an
    invisible marker at each cell's centre, so that a click on a cell can choose it."""
    c = np.asarray(confusion, dtype=np.float64)
    z = row_shares(c) if normalised else c
    text = [[(f"{v:.1%}" if normalised else f"{int(n):,}") if n else "" for v, n in zip(zr, cr)]
            for zr, cr in zip(z, c)]  # one decimal: a single image of 980 is 0.1 %, not "0 %"
    digits = [str(d) for d in range(len(c))]
    diagonal = np.eye(len(c), dtype=bool)
    fig = go.Figure([_cells(z, text, diagonal, RIGHT_COLOURS), _cells(z, text, ~diagonal, WRONG_COLOURS)])
    # the markers take the hover and the click (a heatmap's selection does not reach Streamlit)
    xs, ys = np.meshgrid(digits, digits)
    fig.add_scatter(x=xs.ravel(), y=ys.ravel(), mode="markers", marker=dict(size=28, opacity=0),
                    customdata=[v or "0" for row in text for v in row], showlegend=False,
                    hovertemplate=_("true %{y}, read as %{x}: %{customdata}") + "<extra></extra>")
    fig.update_yaxes(autorange="reversed", title=_("true digit"), type="category")
    fig.update_xaxes(title=_("read as"), side="top", type="category")
    fig.update_layout(height=460, margin=dict(l=10, r=10, t=40, b=10), clickmode="event+select",
                      dragmode=False)
    return fig


def per_class_figure(per_class):
    """Each digit's error rate as a bar, the digits in order, the axis fitted to the rates (from
    0: a bar's height is its rate); the highest in orange and hatched (none when no digit is read
    wrong), each rate written on its bar."""
    acc = np.asarray(per_class, dtype=np.float64)
    wrong = np.nan_to_num(1 - acc)  # a digit without images: no bar
    worst = int(np.argmax(wrong)) if wrong.max() > 0 else None  # none wrong: no worst to show
    colours = [ORANGE if i == worst else BLUE for i in range(len(wrong))]
    fig = go.Figure(go.Bar(x=[str(i) for i in range(len(wrong))], y=wrong, marker_color=colours,
                           marker_pattern_shape=["/" if i == worst else "" for i in range(len(wrong))],
                           text=["" if np.isnan(a) else f"{1 - a:.1%}" for a in acc],
                           textposition="outside", cliponaxis=False,
                           hovertemplate=_("digit %{x}: %{y:.1%} read wrong") + "<extra></extra>"))
    fig.update_yaxes(range=[0, max(float(wrong.max()) * 1.2, 0.01)], tickformat=".1%")
    fig.update_xaxes(type="category")
    fig.update_layout(title=_("How often each digit is read wrong (the worst in orange)"), height=320,
                      margin=dict(l=10, r=10, t=40, b=10), xaxis_title=_("true digit"),
                      yaxis_title=_("read wrong"))
    return fig
