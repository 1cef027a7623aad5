"""Plotly figures for the app: training curves and the softmax probabilities; and what every
figure shares: the palette, the layers' line styles, a log axis and the painting of arrays."""
import math

import numpy as np
import plotly.graph_objects as go

from .i18n import _
from .layout import scale

BLUE, ORANGE = "#0072B2", "#D55E00"  # Okabe-Ito, colour-blind safe; the inside views use the same
# Okabe-Ito, layer 1 first: seven styles for the seven Affine layers of six hidden ones
LAYER_COLOURS = [BLUE, ORANGE, "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]
LAYER_DASHES = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot", "5px,2px"]  # colour never alone
# No toolbar over the charts: on a phone it never hides and covers titles and legends
# (a drag still zooms, a double click goes back).
CONFIG = {"displayModeBar": False}

def plot(box, fig, key=None, scaled=False, **kwargs):
    """Draw ``fig`` in ``box`` (``st`` or a container) without the toolbar, larger while presenting
    (``scaled``: it is already)."""
    return box.plotly_chart(fig if scaled else scale(fig), key=key, config=CONFIG, **kwargs)


MAX_POINTS = 500  # a loss curve is thinned to this many points (the smoothed one carries the shape)


def smooth(values, alpha=0.05):
    """Exponential moving average of a 1-D sequence, debiased at the start (as TensorBoard)."""
    v = np.asarray(values, dtype=np.float64)
    out = np.empty_like(v)
    acc, weight = 0.0, 0.0
    for i, x in enumerate(v):
        acc = (1 - alpha) * acc + alpha * x
        weight = (1 - alpha) * weight + alpha
        out[i] = acc / weight
    return out


def _thin(x, y):
    step = max(1, len(x) // MAX_POINTS)
    return x[::step], y[::step]


def figure_layout(title, xtitle, ytitle, height=300, xaxis=None, yaxis=None, legend=None, **more):
    """A chart's layout as a plain dict: its title, axis titles (and any more axis settings),
    and the legend, by default above the plot at the right."""
    legend = legend or dict(orientation="h", yanchor="bottom", y=1.0, x=1, xanchor="right")
    return dict(title=dict(text=title), height=height, margin=dict(l=10, r=10, t=40, b=10),
                xaxis=dict(title=dict(text=xtitle), **(xaxis or {})),
                yaxis=dict(title=dict(text=ytitle), **(yaxis or {})), legend=legend, **more)


# The figures drawn live (several a second while training) are each built by one go.Figure
# call from plain dicts: Plotly checks every property once, where add_scatter, add_hline
# and update_layout check them again at each call.

def loss_figure(history):
    """Loss per iteration, raw (faint) and smoothed."""
    it = np.asarray(history["iteration"])
    loss = np.asarray(history["loss"])
    data = []
    if len(it):
        sm = smooth(loss)
        mode = "lines+markers" if len(it) < 20 else "lines"  # a Step or two: points, not an invisible line
        xi, yi = _thin(it, loss)
        data.append(dict(type="scatter", x=xi, y=yi, mode=mode, name=_("loss (each batch)"),
                         line=dict(width=1, color="rgba(0,114,178,0.3)")))
        xs, ys = _thin(it, sm)
        data.append(dict(type="scatter", x=xs, y=ys, mode=mode, name=_("smoothed"),
                         line=dict(width=3, color=BLUE)))
    # A dotted line at ln 10, across the plot, its label under it at the left: the curve
    # starts above ln 10 and falls away to the right.
    guess = float(np.log(10))
    line = dict(type="line", xref="x domain", x0=0, x1=1, yref="y", y0=guess, y1=guess,
                line=dict(color="grey", dash="dot"))
    label = dict(text=_("ln 10: guessing"), xref="x domain", x=0, xanchor="left", yref="y", y=guess,
                 yanchor="top", showarrow=False,
                 bgcolor="rgba(255,255,255,0.85)")  # readable where a stalled curve runs along it
    return go.Figure(data=data, layout=figure_layout(_("Loss"), _("iteration"), _("cross-entropy"),
                                                     shapes=[line], annotations=[label]))


def iterations_per_epoch(history):
    """Iterations in one epoch of the run whose ``history`` this is, from its evaluations
    (``eval_iteration``, ``epoch``), or None before its first evaluation past iteration 0."""
    for it, ep in zip(reversed(history.get("eval_iteration", [])), reversed(history.get("epoch", []))):
        if ep > 0:
            return max(1, round(it / ep))
    return None


def accuracy_figure(history):
    """Training and validation accuracy at each evaluation, against iterations as the loss and
    the health charts; the epoch in the axis title and at each point's hover."""
    it, ep, data = history["eval_iteration"], history["epoch"], []
    hover = _("iteration %{x:,}, epoch %{customdata:.2f}: %{y:.1%}")  # the trace's name beside it
    if history["train_acc"]:
        data.append(dict(type="scatter", x=it, y=history["train_acc"], customdata=ep, hovertemplate=hover,
                         mode="lines+markers", name=_("train"), line=dict(color=BLUE)))
    if history["valid_acc"]:
        data.append(dict(type="scatter", x=it, y=history["valid_acc"], customdata=ep, hovertemplate=hover,
                         mode="lines+markers", name=_("validation"), line=dict(dash="dash", color=ORANGE),
                         marker=dict(symbol="diamond")))
    per_epoch = iterations_per_epoch(history)
    xtitle = _("iteration") if per_epoch is None else _("iteration (1 epoch = {n:,} iterations)").format(
        n=per_epoch)
    return go.Figure(data=data, layout=figure_layout(
        _("Accuracy"), xtitle, _("accuracy"),
        xaxis=dict(rangemode="nonnegative"),  # no negative iterations around a single point
        yaxis=dict(range=[0, 1], tickformat=".0%"), annotations=_gap_label(history)))


GAP_NAMED = 3.0  # points between the training and the validation curves at which the chart names the gap


def _gap_label(history):
    """Where the training curve ends GAP_NAMED points or more above the validation curve, a
    label between the two at the last evaluation names the gap: overfitting."""
    train, valid = history["train_acc"], history["valid_acc"]
    n = min(len(train), len(valid))
    if n < 2 or 100 * (train[n - 1] - valid[n - 1]) < GAP_NAMED:
        return []
    gap = 100 * (train[n - 1] - valid[n - 1])
    text = _("gap {points:.0f} points: overfitting").format(points=gap)
    return [dict(x=history["eval_iteration"][n - 1], y=(train[n - 1] + valid[n - 1]) / 2, text=text,
                 xanchor="right", showarrow=False, bgcolor="rgba(255,255,255,0.85)")]


def probability_figure(proba):
    """Bar chart of the 10 class probabilities, the most likely digit highlighted."""
    proba = np.asarray(proba, dtype=np.float64).reshape(-1)
    best = int(np.argmax(proba))
    colors = [ORANGE if i == best else "#8fb3d9" for i in range(len(proba))]
    bar = dict(type="bar", x=[str(i) for i in range(len(proba))], y=proba, marker=dict(color=colors),
               text=[f"{p:.0%}" if p >= 0.005 else "" for p in proba], textposition="outside")
    return go.Figure(data=[bar], layout=figure_layout(
        _("Softmax probabilities"), _("digit"), _("probability"), height=320,
        xaxis=dict(type="category"), yaxis=dict(range=[0, 1.1], tickformat=".0%")))


def _rgb(hex_colour):
    return np.array([int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)], dtype=np.float64)


def paint(values, diverging, m=None):
    """RGB (..., 3) uint8 for ``values``: white to blue (sequential, values >= 0) or blue,
    white, orange (diverging, around 0), scaled by ``m`` (default the largest size)."""
    v = np.nan_to_num(np.asarray(values, dtype=np.float64))
    m = float(m if m is not None else np.max(np.abs(v))) or 1.0
    white = np.full(3, 255.0)
    f = np.clip(v / m, -1, 1)[..., None]
    if diverging:
        out = np.where(f >= 0, white + f * (_rgb(ORANGE) - white), white - f * (_rgb(BLUE) - white))
    else:
        out = white + np.clip(f, 0, 1) * (_rgb(BLUE) - white)
    return out.astype(np.uint8)


def log_yaxis(values):
    """A log y-axis from the power of ten below the smallest positive value to the one above the
    largest, a tick at each (at every other one past six decades, which would crowd): every
    line sits between two labelled decades. Returns the axis's settings, a dict."""
    v = np.asarray([y for y in values if y is not None and math.isfinite(y) and y > 0], dtype=np.float64)
    axis = dict(type="log", exponentformat="power", dtick=1)
    if v.size:
        lo, hi = math.floor(np.log10(v.min())), math.ceil(np.log10(v.max()))
        axis.update(range=[lo, max(hi, lo + 1)], dtick=2 if hi - lo > 6 else 1)
    return axis
