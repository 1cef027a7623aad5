"""What the pages that watch one shared run (:mod:`serve.seats`) draw alike, built once for
all of them: its live charts and its first layer's tiles.

Forty pages watching one run ask for the same pictures. The same settings and seed give the
same points (:mod:`ffn.threads`), so a key that names the run and the moment names one
picture: the first page builds it, the others send it as it is. What is kept is only read
once built, by every page, from every script thread: never changed.
"""
import io
import threading
from collections import OrderedDict
from typing import Any, NamedTuple

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
        _keep(key, made)
    return made


def _keep(key, made):
    """``made`` under ``key``, the latest; the oldest go past KEPT. Under ``_lock``."""
    _kept[key] = made
    _kept.move_to_end(key)
    while len(_kept) > KEPT:
        _kept.popitem(last=False)


class _Made(NamedTuple):
    points: int    # how many points of its curves the picture shows
    at: float      # when it was made (time.monotonic)
    picture: Any


def recent(key, points, build, now, fresh, exact=False):
    """A live chart of a shared run, made at most once every ``fresh`` seconds for all the pages
    that watch it: the one a page made less than ``fresh`` seconds ago (``now``: the clock's
    time), else ``build()`` from this page's ``points`` points. Pages poll the run at their own
    moments, each with a few points more than the last: keyed by the moment, hardly two would
    share a chart. ``exact``: only a chart of exactly ``points`` points (a run's last).
    Returns (the points the chart shows, the chart); ``key`` None: a run of its own, built."""
    if key is None:
        return points, build()
    with _lock:
        made = _kept.get(key)
        if made is not None and (made.points == points or (not exact and now - made.at < fresh)):
            return made.points, made.picture
        if made is not None and not exact:
            # this page makes the next one: the others send this one meanwhile, rather than
            # all finding it old at once and each making its own
            _kept[key] = made._replace(at=now)
    picture = build()
    with _lock:
        old = _kept.get(key)
        if old is None or old.points <= points:  # a page that polled earlier never replaces a newer one
            _keep(key, _Made(points, now, picture))
    return points, picture


class SentFigure(go.Figure):
    """A Plotly figure made to be sent by many pages: its dict is made once.

    ``st.plotly_chart`` turns the figure into a dict at every call, and Plotly's ``to_dict``
    deep-copies every trace: for a hundred pages watching one run, the largest part of the
    server's work on their charts. Read-only: neither the figure nor its dict may change
    once made (a change to the figure would not be sent, a change to the dict would reach
    every page). Scale it for the page (``ui.layout.scale``) before, never after.
    """

    def __init__(self, fig):
        sent = fig.to_dict()
        # checked when it was built: Plotly's private switch (plotly 7.1, pinned) skips
        # checking it again, 0.3 ms against 4.6 for a loss chart
        super().__init__(sent, _validate=False)
        self._sent = sent

    def to_dict(self):
        return self._sent


def figure(key, points, build, now, fresh, exact=False):
    """:func:`recent` for a Plotly figure ``build()``, made ready to be sent by every page."""
    if key is None:
        return points, build()
    return recent(key, points, lambda: SentFigure(build()), now, fresh, exact)


def jpeg(image):
    """An RGB or grey uint8 array as the JPEG that ``st.image`` makes of it at every call
    (quality 90): made once, a shared picture is sent as it is."""
    out = io.BytesIO()
    Image.fromarray(image).save(out, format="JPEG", quality=90)
    return out.getvalue()
