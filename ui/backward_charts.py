"""The network diagram of one Step's backward pass (:func:`ffn.diagram.backward`), on the
forward diagram's frame (:mod:`ui.diagram_charts`): the error at the outputs, each unit's
gradient on one log scale shared by every layer, the weights the step changed most."""
import numpy as np

from .diagram_charts import (ASPECT, BLUES, SIGNED, SIZES, Frame, Spec, draw_lines, edges, finish,
                             input_image, words)
from .i18n import _

DECADE_BINS = ((1e-3, 1e-2), (1e-2, 1e-1), (1e-1, 1.0))   # a line's width: powers of ten below the largest
DECADES = 4  # the backward's log scale: from the largest unit gradient down this many powers of ten


def figure(b, image, titles, notes, presenting=False):
    """One Step's backward pass (:func:`ffn.diagram.backward`'s ``b``) on the same diagram: the
    error y - t at the outputs (blue below 0, orange above), each hidden unit's gradient on one
    log scale shared by every layer (a layer whose gradient is 1,000 times smaller is nearly
    white), and the weights the step changed most (orange and solid: up; blue and dashed: down).
    ``image``: the batch's first drawing, under the first layer's lines."""
    size = SIZES[presenting]
    last = len(b["columns"])
    frame = Frame(last, ASPECT[presenting])
    fig = Spec()
    input_image(fig, frame, image, ink=0.35)  # faint: the lines that leave it are what the step did
    where = frame.positions(b)
    changed = max((float(np.abs(e[:, 2]).max()) for e in b["edges"] if len(e)), default=1.0)
    lines = {}
    for layer, links in enumerate(b["edges"], 1):  # one scale for every layer, as the circles'
        edges(lines, links, frame.pixel if layer == 1 else where[layer - 2].__getitem__, where[layer - 1],
               top=changed, bins=DECADE_BINS)
    draw_lines(fig, lines)
    top = max(float(np.max(c["grad"])) for c in b["columns"]) or 1.0
    low = np.log10(top) - DECADES
    for layer, c in enumerate(b["columns"], 1):
        units = c["units"]
        xs, ys = zip(*(where[layer - 1][int(u)] for u in units))
        if layer == last:  # the error at the outputs
            err = c["values"][units]
            span = float(np.abs(err).max()) or 1.0
            colour, scale, cmin, cmax = err / span, SIGNED, -1, 1
            text = [f"{int(u)}  {v:+.2f}" for u, v in zip(units, err)]
            hover = _("digit %{customdata[1]}: y − t = %{customdata[2]:+.3f}")
            data = [[layer, int(u), float(v)] for u, v in zip(units, err)]
        else:
            g = c["grad"][units]
            colour = np.log10(np.maximum(g, 10.0 ** low))
            scale, cmin, cmax, text = BLUES, low, np.log10(top), None
            hover = _("layer %{customdata[0]}, unit %{customdata[1]}: gradient %{customdata[2]:.2e}")
            data = [[layer, int(u), float(v)] for u, v in zip(units, g)]
        fig.add_scatter(x=xs, y=ys, mode="markers+text" if text else "markers", text=text,
                        textposition="middle right", textfont=dict(size=size["text"]), customdata=data,
                        hovertemplate=hover + "<extra></extra>",
                        marker=dict(size=size["circle"], color=colour, colorscale=scale, cmin=cmin, cmax=cmax,
                                    line=dict(width=1, color="#000000")))
    words(fig, frame, titles, notes, size)
    finish(fig, frame, size)
    return fig.figure()
