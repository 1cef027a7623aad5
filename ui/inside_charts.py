"""Pictures for the inside views: the drawing's journey through the layers (one image), the
scores as a text table, a unit's weights, and the saliency overlay (Plotly).

Images and text draw at once in any browser, where a Plotly chart does not: the Inside
view keeps to one image per part and no chart, so it follows the pen. Colours are
colour-blind safe (Okabe-Ito) and never carry meaning alone: an inactive unit is
crossed out, a bar's direction gives its sign, and the strongest pixels of a saliency
map carry + and − marks.
"""
import math
import unicodedata

import numpy as np
import plotly.graph_objects as go

from .charts import BLUE, ORANGE, paint
from .i18n import _

GREY = "#999999"
DIVERGING = [[0.0, BLUE], [0.5, "#f7f7f7"], [1.0, ORANGE]]  # negative blue, positive orange
INK = [[0.0, "rgba(0,0,0,0)"], [1.0, "rgba(0,0,0,0.45)"]]  # ink over a map: clear where blank


def layer_image(a, activation, cell=8):
    """A hidden layer's activations as a near-square grid image, one ``cell``-pixel square
    per unit, row by row: white to blue (ReLU, Sigmoid), blue-white-orange around 0 (Tanh).
    After ReLU, a unit at 0 is drawn as a grey cross on white."""
    relu = activation == "relu"
    cols = math.ceil(math.sqrt(len(a)))
    rows = math.ceil(len(a) / cols)
    img = np.full((rows * cell, cols * cell, 3), 255, dtype=np.uint8)
    colours = paint(a, diverging=activation == "tanh")
    cross = np.eye(cell - 2, dtype=bool) | np.eye(cell - 2, dtype=bool)[::-1]
    for j, value in enumerate(a):
        r, c = divmod(j, cols)
        box = img[r * cell + 1:(r + 1) * cell - 1, c * cell + 1:(c + 1) * cell - 1]
        if relu and value == 0:
            box[cross] = (150, 150, 150)
        else:
            box[...] = colours[j]
    return img


def journey_image(x, hidden, activation, gap=16):
    """The input (28x28, 5 px a pixel) and each hidden layer's grid (:func:`layer_image`),
    side by side in one image, bottoms aligned, ``gap`` white pixels apart."""
    parts = [np.repeat(255 - np.kron((np.clip(x.reshape(28, 28), 0, 1) * 255).astype(np.uint8),
                                     np.ones((5, 5), dtype=np.uint8))[..., None], 3, axis=2)]
    # each grid about as tall as the input (140 px): the fewer a layer's units, the larger its squares
    parts += [layer_image(a, activation, cell=max(8, min(20, 140 // math.ceil(math.sqrt(len(a))))))
              for a in hidden]
    height = max(p.shape[0] for p in parts)
    out = [np.pad(p, ((height - p.shape[0], 0), (0, gap), (0, 0)), constant_values=255) for p in parts]
    return np.concatenate(out, axis=1)[:, :-gap]


def weights_image(weights, scale=8):
    """A first-layer unit's 784 incoming weights as a 28x28 diverging image (orange +, blue −)."""
    img = paint(np.asarray(weights).reshape(28, 28), diverging=True)
    return np.kron(img, np.ones((scale, scale, 1), dtype=np.uint8))


def _right(text, width):
    """``text`` right-aligned in ``width`` columns of a monospaced font, where a Chinese character
    takes two (so that the header stands over its column in both languages)."""
    columns = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return " " * max(0, width - columns) + text


def scores_text(scores, proba, width=3):
    """The ten scores as bars of text either side of 0, and the softmax: a monospaced table
    that any screen draws at once and that needs no colour to read."""
    m = float(np.max(np.abs(scores))) or 1.0
    best = int(np.argmax(proba))
    digit, score, soft = _("digit"), _("score"), _("softmax")  # outside the f-string, where Babel finds them
    lines = [f"{_right(digit, 5)} {_right(score, 7)} {'':{2 * width + 1}} {_right(soft, 7)}"]
    for d, (s, p) in enumerate(zip(scores, proba)):
        n = int(round(abs(s) / m * width))
        bar = (" " * (width - n) + "█" * n + "|" + " " * width) if s < 0 else (" " * width + "|" + "█" * n
                                                                               + " " * (width - n))
        mark = " ◀" if d == best else ""
        lines.append(f"{d:>5} {s:>+7.2f} {bar} {p:>7.1%}{mark}")
    return "\n".join(lines)


def weights_figure(weights, unit):
    """A later layer's unit's incoming weights, as bars."""
    fig = go.Figure(go.Bar(x=np.arange(len(weights)), y=weights,
                           marker_color=[ORANGE if w >= 0 else BLUE for w in weights],
                           hovertemplate=_("weight from unit %{x}: %{y:.3f}") + "<extra></extra>"))
    fig.update_layout(title=_("Unit {unit}'s incoming weights").format(unit=unit), xaxis_title=_(
        "unit of the layer before"), height=300, margin=dict(l=10, r=10, t=40, b=10))
    return fig


def saliency_figure(x, s, marks=12):
    """The saliency ``s`` (784,) over the drawing ``x`` (784,), with + and − on the strongest pixels."""
    m = float(np.max(np.abs(s))) or 1.0
    fig = go.Figure()
    fig.add_heatmap(z=s.reshape(28, 28), colorscale=DIVERGING, zmin=-m, zmax=m,
                    colorbar=dict(title=_("effect"), thickness=12, exponentformat="power"),  # 4×10⁻⁵, not 40μ
                    hovertemplate=_("pixel (%{y}, %{x}): %{z:+.4f}") + "<extra></extra>")
    # the drawing's ink on top, half see-through: where the strokes are, and what is around them
    fig.add_heatmap(z=x.reshape(28, 28), colorscale=INK, zmin=0, zmax=1, showscale=False, hoverinfo="skip")
    strongest = np.argsort(-np.abs(s))[:marks]
    for sign, symbol in ((1, "cross-thin"), (-1, "line-ew")):
        pick = [i for i in strongest if np.sign(s[i]) == sign]
        fig.add_scatter(x=[i % 28 for i in pick], y=[i // 28 for i in pick], mode="markers", hoverinfo="skip",
                        marker=dict(symbol=symbol, size=9, line=dict(width=2, color="#000000")),
                        showlegend=False)
    fig.update_yaxes(autorange="reversed", scaleanchor="x", visible=False)
    fig.update_xaxes(visible=False)
    fig.update_layout(height=360, margin=dict(l=10, r=10, t=10, b=10))
    return fig
