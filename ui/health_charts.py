"""Pictures of what training does: the first layer's tiles, a Step's batch (one image each),
and the gradient-health chart (Plotly, log scale, one line per layer).

The tiles share one diverging scale, blue for negative, white for 0, orange for
positive (Okabe-Ito, colour-blind safe), symmetric about 0 and set by the largest
weight shown, so two tiles can be compared by eye.
"""
import math

import numpy as np
import plotly.graph_objects as go

from ffn.architecture import residual_layers

from .charts import LAYER_COLOURS, LAYER_DASHES, figure_layout, log_yaxis, paint
from .i18n import N_, _

METRICS = {  # key in the history -> (label, y scale: log, share or linear, axis title)
    "grad_norm": (N_("Gradient norm ‖dW‖"), "log", N_("‖dW‖ (log scale)")),
    "update_ratio": (N_("Update / weight ‖ΔW‖/‖W‖"), "log", N_("‖ΔW‖ / ‖W‖ (log scale)")),
    # ffn.health: ReLU at 0, Sigmoid or Tanh near a limit, on every image of a fixed batch
    "inactive": (N_("Units stuck off or saturated"), "share", N_("share of the layer's units")),
    "act_std": (N_("Activation spread (std)"), "log", N_("standard deviation (log scale)")),
    "act_mean": (N_("Activation mean"), "linear", N_("mean activation")),
}


def tiles_image(W, cell=2, gap=2, scale=None):
    """The columns of ``W`` (784, K) as 28x28 tiles in a near-square grid, one RGB uint8 image;
    each pixel ``cell`` screen pixels, tiles ``gap`` apart. Returns (image, scale used)."""
    W = np.asarray(W, dtype=np.float64)
    finite = W[np.isfinite(W)]
    scale = scale or (float(np.max(np.abs(finite))) if finite.size else 1.0) or 1.0
    k = W.shape[1]
    cols = math.ceil(math.sqrt(k))
    rows = math.ceil(k / cols)
    side = 28 * cell
    colours = paint(W.T.reshape(k, 28, 28), diverging=True, m=scale)
    # Every tile at once: each pixel a cell x cell square, a white gap right of and under
    # each tile, white tiles to fill the last row; then the rows x cols tiles laid side by
    # side, and the gap past the last row and column cut off.
    tiles = np.full((rows * cols, side + gap, side + gap, 3), 255, dtype=np.uint8)
    tiles[:k, :side, :side] = colours.repeat(cell, axis=1).repeat(cell, axis=2)
    img = tiles.reshape(rows, cols, side + gap, side + gap, 3).transpose(0, 2, 1, 3, 4)
    img = img.reshape(rows * (side + gap), cols * (side + gap), 3)[:-gap or None, :-gap or None]
    return np.ascontiguousarray(img), scale


def batch_image(images, cell=2, gap=4):
    """A Step's batch: ``images`` (K, 784) uint8 as dark ink on white, 8 to a row."""
    k = len(images)
    cols = min(8, k)
    rows = math.ceil(k / cols)
    side = 28 * cell
    img = np.full((rows * (side + gap) - gap, cols * (side + gap) - gap), 255, dtype=np.uint8)
    for j, x in enumerate(images):
        r, c = divmod(j, cols)
        img[r * (side + gap):r * (side + gap) + side, c * (side + gap):c * (side + gap) + side] = \
            255 - np.kron(x.reshape(28, 28), np.ones((cell, cell), dtype=np.uint8))
    return img


def _finite_prefix(xs, rows):
    """The points up to the first non-finite value: a diverged run's chart ends at its last finite point."""
    out_x, out_rows = [], []
    for x, row in zip(xs, rows):
        if not all(math.isfinite(v) for v in row):
            break
        out_x.append(x)
        out_rows.append(row)
    return out_x, out_rows


def layer_tags(cfg):
    """What each Affine layer of a network with config ``cfg`` (``net.config()``) has besides
    its activation, as short text for a legend: ``['BatchNorm, dropout 0.2', 'BatchNorm,
    dropout 0.2, residual', ..., '']`` (the last layer, the scores, has none)."""
    skips = residual_layers(cfg["hidden_size_list"]) if cfg.get("residual") else []
    tags = []
    for i in range(1, len(cfg["hidden_size_list"]) + 1):
        parts = [{"batch": "BatchNorm", "layer": "LayerNorm"}.get(cfg.get("normalization"))]
        dropout = cfg.get("dropout_ratio")
        parts.append(_("dropout {ratio:g}").format(ratio=dropout) if dropout else None)
        parts.append(_("residual") if i in skips else None)
        tags.append(_(", ").join(p for p in parts if p))
    return tags + [""]


def health_figure(history, metric="grad_norm", sizes=None, tags=None):
    """One line per layer of ``history[metric]`` against iterations. ``sizes``: the
    network's layer sizes (784, H1, ..., 10), and ``tags``: :func:`layer_tags`, for the legend."""
    label, scale, ytitle = METRICS[metric]
    log = scale == "log"
    xs, rows = _finite_prefix(history.get("health_iteration", []), history.get(metric, []))
    n = len(rows[0]) if rows else 0
    data = []
    for layer in range(n):
        name = _("layer {n}").format(n=layer + 1)
        if sizes is not None and layer + 1 < len(sizes):
            tag = tags[layer] if tags is not None and layer < len(tags) else ""
            shape = f"{sizes[layer]}→{sizes[layer + 1]}"
            name = _("{name} ({detail})").format(
                name=name, detail=_("{shape}, {tags}").format(shape=shape, tags=tag) if tag else shape)
        ys = [row[layer] for row in rows]
        if log:  # a zero has no place on a log scale: left as a gap
            ys = [y if y > 0 else None for y in ys]
        data.append(dict(type="scatter", x=xs, y=ys, mode="lines", name=name,
                         line=dict(width=2, color=LAYER_COLOURS[layer % len(LAYER_COLOURS)],
                                   dash=LAYER_DASHES[layer % len(LAYER_DASHES)])))
    yaxis = {}
    if log:
        yaxis = log_yaxis([y for row in rows for y in row])
    elif scale == "share":
        yaxis = dict(range=[0, 1], tickformat=".0%")
    # the legend under the plot, clear of the axis title: three layers' names beside the title
    # would cover it on a phone; a deep network's seven lines make the chart taller, not the plot smaller.
    # One go.Figure call from plain dicts: it is drawn live, about once a second (see ui.charts).
    legend = dict(orientation="h", yanchor="top", y=-0.32 - 0.02 * max(0, n - 3), x=0, xanchor="left")
    return go.Figure(data=data, layout=figure_layout(_(label), _("iteration"), _(ytitle), yaxis=yaxis,
                                                     legend=legend, height=340 + 22 * max(0, n - 3)))


__all__ = ["tiles_image", "batch_image", "health_figure", "METRICS"]
