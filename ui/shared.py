"""What the pages that watch one shared run (:mod:`serve.seats`) draw alike, built once for
all of them: its live charts and its first layer's tiles.

Forty pages watching one run ask for the same charts at the same moments. The same settings
and seed give the same points (:mod:`ffn.threads`), so a key that names the run and the
moment names one picture: the first page builds it, the others send it as it is. What is
kept is only read once built, by every page, from every script thread: never changed.
"""
import io
import threading
from collections import OrderedDict

import plotly.graph_objects as go
from PIL import Image

KEPT = 96   # the latest pictures, for every shared run's pages: a few per run, chart and page kind
_kept = OrderedDict()
_lock = threading.Lock()


def shared(key, build):
    """``build()``, once for every page that asks with ``key`` (None: never shared, built
    each time)."""
    if key is None:
        return build()
    with _lock:
        made = _kept.get(key)
        if made is not None:
            _kept.move_to_end(key)
            return made
    made = build()  # outside the lock: two pages may build one picture, and one copy stays
    with _lock:
        made = _kept.setdefault(key, made)
        while len(_kept) > KEPT:
            _kept.popitem(last=False)
    return made


class SentFigure(go.Figure):
    """A Plotly figure made to be sent by many pages: its dict is made once.

    ``st.plotly_chart`` turns the figure into a dict at every call, and Plotly's ``to_dict``
    deep-copies every trace: for a hundred pages watching one run, the largest part of the
    server's work on their charts. Read-only: neither the figure nor its dict may change
    once made.
    """

    def __init__(self, fig):
        super().__init__(fig)
        self._sent = super().to_dict()

    def to_dict(self):
        return self._sent


def figure(key, build):
    """The Plotly figure ``build()`` for ``key`` (see :func:`shared`), ready to be sent by
    every page that asks for it."""
    if key is None:
        return build()
    return shared(key, lambda: SentFigure(build()))


def png(image):
    """An RGB or grey uint8 array as PNG bytes, as ``st.image`` would encode it at every call:
    encoded once, a shared picture is sent as it is."""
    out = io.BytesIO()
    Image.fromarray(image).save(out, format="PNG")
    return out.getvalue()
