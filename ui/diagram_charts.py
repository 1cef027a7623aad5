"""The network diagram (Plotly), forward (a Step's backward: :mod:`ui.backward_charts`, on the
same frame and pieces): the drawing on the left, a column of circles per layer, the
strongest connections as lines, the ten outputs with their probabilities on the right.

A circle is filled by its unit's output on one scale per layer (white to blue; Tanh: blue
below 0, orange above); a unit left at 0 by ReLU is crossed out. A connection's width is its
contribution's size, its colour and its line its sign (orange and solid: it raises the sum;
blue and dashed: it lowers it), so that colour is never the only cue.
"""
import numpy as np
import plotly.graph_objects as go

from .charts import BLUE, ORANGE
from .i18n import _

GAP = 1.5            # between columns, in the diagram's x units (y: the columns span 0 to 1)
IMAGE_H = 0.5        # the drawing's height, in y units
ASPECT = {False: 1.75, True: 2.2}  # the chart's width over its height: a page's, a projector's
WIDTHS = (0.8, 2.0, 4.0)   # a connection's width by its third of the column's largest contribution
BLUES = [[0.0, "#FFFFFF"], [1.0, BLUE]]
SIGNED = [[0.0, BLUE], [0.5, "#FFFFFF"], [1.0, ORANGE]]
SIZES = {False: dict(text=14, circle=16, winner=24, height=560), True: dict(text=24, circle=22, winner=32,
                                                                             height=820)}


class Spec:
    """A figure as plain data, built with go.Figure's verbs and made a Figure once (:meth:`figure`):
    Plotly checks a figure's every property as each trace is added, then once (bench/README.md)."""

    def __init__(self):
        self.data, self.layout, self.frames = [], dict(annotations=[], xaxis={}, yaxis={}), []

    def add_scatter(self, **trace):
        self.data.append(dict(type="scatter", **trace))

    def add_heatmap(self, **trace):
        self.data.append(dict(type="heatmap", **trace))

    def add_annotation(self, **note):
        self.layout["annotations"].append(note)

    def update_xaxes(self, **axis):
        self.layout["xaxis"].update(axis)

    def update_yaxes(self, **axis):
        self.layout["yaxis"].update(axis)

    def update_layout(self, **layout):
        self.layout.update(layout)

    def figure(self):
        return go.Figure(dict(data=self.data, layout=self.layout, frames=self.frames))


def _ys(n):
    """Where ``n`` circles stand in a column: evenly from the top, the first the most active."""
    return np.linspace(0.04, 0.96, n) if n > 1 else np.array([0.5])


class Frame:
    """Where things stand: the drawing's box (a square on screen, for a chart ``aspect`` times as
    wide as high, with ``layers`` columns after it), each column's x, each pixel's centre."""

    Y0, Y1 = -0.12, 1.12   # the y range: the columns, and room for the words above and below

    def __init__(self, layers, aspect):
        k = IMAGE_H / (self.Y1 - self.Y0) / aspect  # the drawing's width per unit of the x range
        self.image_w = k * (GAP * layers + 1.0) / (1 - k)
        self.right = self.image_w + GAP * layers + 1.0

    def x(self, layer):
        return self.image_w + GAP * layer

    def pixel(self, i):
        return ((i % 28) + 0.5) / 28 * self.image_w, 0.5 - IMAGE_H / 2 + ((i // 28) + 0.5) / 28 * IMAGE_H

    def positions(self, d):
        """Each column's units -> (x, y)."""
        return [dict(zip(c["units"].tolist(), zip([self.x(layer)] * len(c["units"]), _ys(len(c["units"])))))
                for layer, c in enumerate(d["columns"], 1)]


def figure(d, activation, titles, notes, presenting=False, strips=False, animate=False, play="▶"):
    """The diagram of :func:`ffn.diagram.forward`'s ``d``. ``titles`` and ``notes``: the words
    above and below each column (the input's first); ``strips``: every unit of each hidden
    layer too, as a strip beside its column; ``animate``: frames that light it left to right,
    and a button (``play``) that plays them."""
    size = SIZES[presenting]
    last = len(d["columns"])
    frame = Frame(last, ASPECT[presenting])
    fig = Spec()
    input_image(fig, frame, d["input"])
    where = frame.positions(d)
    layers = []  # each column's lines, apart: the animation lights them one column at a time
    for layer, links in enumerate(d["edges"], 1):
        layers.append({})
        source = frame.pixel if layer == 1 else where[layer - 2].__getitem__
        edges(layers[-1], links, source, where[layer - 1])
    draw_lines(fig, _upto(layers, last))
    for layer, c in enumerate(d["columns"], 1):
        _units(fig, layer, c, where[layer - 1], activation if layer < last else "proba", size, d["digit"])
    if strips:
        for layer, c in enumerate(d["columns"][:-1], 1):
            _strip(fig, frame.x(layer), c["values"], activation)
    words(fig, frame, titles, notes, size)
    finish(fig, frame, size)
    fig.update_layout(clickmode="event+select")  # a click on a circle opens its arithmetic
    if animate:
        _animation(fig, layers, last, play, size)
    return fig.figure()


def _upto(layers, k):
    """The lines of the first ``k`` columns, merged by sign and size."""
    out = {}
    for lines in layers[:k]:
        for key, (xs, ys) in lines.items():
            mx, my = out.setdefault(key, ([], []))
            mx += xs
            my += ys
    return out


SECONDS = 1.0  # the forward animation, all of it


def _animation(fig, layers, last, play, size):
    """Frames that light the columns left to right, the lines into each with it (the signal
    travelling forward, about a second in all), and a button that plays them (``play``: its
    words). The figure as drawn is the last frame: without the animation, nothing is missing."""
    units = [trace for trace in fig.data if trace.get("customdata") is not None][:last]
    first = len(KEYS) + 1  # the drawing, then the six traces of lines, then a trace per column
    frames = []
    for k in range(last + 1):
        lines = _upto(layers, k)
        data = [dict(type="scatter", x=lines.get(key, ([], []))[0], y=lines.get(key, ([], []))[1])
                for key in KEYS]
        for layer, trace in enumerate(units, 1):
            lit, dark, text = layer <= k, [0] * len(trace["x"]), trace.get("text")
            data.append(dict(type="scatter", marker=dict(color=trace["marker"]["color"] if lit else dark),
                             text=text if lit or text is None else [""] * len(trace["x"])))
        frames.append(dict(data=data, traces=list(range(1, first + last)), name=str(k)))
    fig.frames = frames
    step = int(SECONDS * 1000 / (last + 1))
    fig.update_layout(updatemenus=[dict(
        type="buttons", showactive=False, x=0.0, y=0.0, xanchor="left", yanchor="bottom", pad=dict(l=4, b=4),
        font=dict(size=size["text"]),
        buttons=[dict(label=play, method="animate", args=[None, dict(
            frame=dict(duration=step, redraw=True), transition=dict(duration=0), fromcurrent=False,
            mode="immediate")])])])


def input_image(fig, frame, x, ink=1.0):
    """The drawing ``x`` (784 values in [0, 1]) in its box, black on white (``ink``: how dark)."""
    fig.add_heatmap(z=np.asarray(x, np.float64).reshape(28, 28) * ink, x0=frame.pixel(0)[0],
                    dx=frame.image_w / 28, y0=frame.pixel(0)[1], dy=IMAGE_H / 28, showscale=False,
                    colorscale=[[0, "#FFFFFF"], [1, "#000000"]], zmin=0, zmax=1, hoverinfo="skip")


def words(fig, frame, titles, notes, size):
    """Each column's title above it and its note (what is shown of it, its tricks) below."""
    for i, (title, note) in enumerate(zip(titles, notes)):
        x = frame.image_w / 2 if i == 0 else frame.x(i)
        fig.add_annotation(x=x, y=-0.02, text=title, showarrow=False, yanchor="bottom",
                           font=dict(size=size["text"]))
        if note:
            fig.add_annotation(x=x, y=1.02, text=note, showarrow=False, yanchor="top",
                               font=dict(size=size["text"]))


def finish(fig, frame, size):
    fig.update_xaxes(visible=False, range=[-0.05, frame.right], fixedrange=True)
    fig.update_yaxes(visible=False, range=[frame.Y1, frame.Y0], fixedrange=True)
    fig.update_layout(height=size["height"], margin=dict(l=4, r=4, t=4, b=4), showlegend=False,
                      plot_bgcolor="#FFFFFF", dragmode=False, hoverlabel=dict(font_size=size["text"]))


THIRDS = ((0.0, 1 / 3), (1 / 3, 2 / 3), (2 / 3, 1.0))      # the forward's widths: thirds of the largest


def edges(lines, links, source, targets, top=None, bins=THIRDS):
    """Add to ``lines`` ((sign, bin) -> [xs, ys]) the connections into a column (``source(i)``:
    where unit or pixel i stands), by sign and by ``bins`` of their size over ``top`` (default:
    the column's largest); smaller than the first bin, not drawn."""
    if len(links) == 0:
        return
    top = top or float(np.abs(links[:, 2]).max()) or 1.0
    for i, j, c in links:
        k = next((k for k, (low, high) in enumerate(bins) if low < abs(c) / top <= high), None)
        if k is not None:
            xs, ys = lines.setdefault((1 if c > 0 else -1, k), ([], []))
            (x0, y0), (x1, y1) = source(int(i)), targets[int(j)]
            xs += [x0, x1, None]
            ys += [y0, y1, None]


KEYS = [(sign, k) for sign in (1, -1) for k in range(len(WIDTHS))]  # the six traces of lines, in order


def draw_lines(fig, lines):
    """The connections of every column as six traces, one for each sign and size (lines split by
    None, a trace empty if none): hundreds of lines draw fast. The larger, the wider and darker."""
    for sign, k in KEYS:
        xs, ys = lines.get((sign, k), ([], []))
        colour, dash = (ORANGE, "solid") if sign > 0 else (BLUE, "dash")
        fig.add_scatter(x=xs, y=ys, mode="lines", hoverinfo="skip", opacity=0.35 + 0.2 * k,
                        line=dict(color=colour, width=WIDTHS[k], dash=dash))


def _units(fig, layer, c, where, kind, size, digit):
    units = c["units"]
    values = c["values"][units]
    xs = [where[int(u)][0] for u in units]
    ys = [where[int(u)][1] for u in units]
    top = float(np.abs(c["values"]).max()) or 1.0
    off = (values == 0) & (kind == "relu") & (digit is not None)  # waiting for a drawing: nothing is off
    symbols = ["circle-x" if o else "circle" for o in off]
    colours = values / top
    scale = SIGNED if kind == "tanh" else BLUES
    sizes = [size["circle"]] * len(units)
    text, position = None, None
    if kind == "proba":
        sizes = [size["winner"] if int(u) == digit else size["circle"] for u in units]
        text = [str(int(u)) if digit is None else f"{int(u)}  {v:.0%}" + (" ◀" if int(u) == digit else "")
                for u, v in zip(units, values)]  # no drawing yet (digit None): the digits alone
        position = "middle right"
    hover = (_("digit %{customdata[1]}: probability %{customdata[2]:.1%}") if kind == "proba" else
             _("layer %{customdata[0]}, unit %{customdata[1]}: %{customdata[2]:.3f} (click: its arithmetic)"))
    fig.add_scatter(
        x=xs, y=ys, mode="markers+text" if text else "markers", text=text, textposition=position,
        textfont=dict(size=size["text"]),
        customdata=[[layer, int(u), float(v)] for u, v in zip(units, values)],
        hovertemplate=hover + "<extra></extra>",
        marker=dict(size=sizes, color=colours, colorscale=scale, cmin=-1 if kind == "tanh" else 0, cmax=1,
                    symbol=symbols, line=dict(width=[3 if kind == "proba" and int(u) == digit else 1
                                                     for u in units], color="#000000")))


def _strip(fig, x, values, activation):
    """Every unit of a hidden layer as a strip of colour beside its column, in index order."""
    top = float(np.abs(values).max()) or 1.0
    z = (np.asarray(values) / top)[:, None]
    signed = activation == "tanh"
    fig.add_heatmap(z=z, x0=x + 0.35, dx=0.15, y0=0.04, dy=0.92 / max(len(values) - 1, 1),
                    colorscale=SIGNED if signed else BLUES, zmin=-1 if signed else 0, zmax=1, showscale=False,
                    hoverinfo="skip")
