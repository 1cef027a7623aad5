"""ui/shared.py: what the pages watching one shared run draw alike, made once."""
import io

import numpy as np
import plotly.graph_objects as go
from PIL import Image

from ui import health_panel, shared


def test_a_picture_is_built_once_per_key_and_the_oldest_go_first(monkeypatch):
    monkeypatch.setattr(shared, "_kept", type(shared._kept)())
    monkeypatch.setattr(shared, "KEPT", 2)
    built = []
    make = lambda name: lambda: built.append(name) or name  # noqa: E731
    assert shared.shared("a", make("a")) == "a" and shared.shared("a", make("a again")) == "a"
    assert shared.shared(None, make("mine")) == "mine" and shared.shared(None, make("mine")) == "mine"
    assert built == ["a", "mine", "mine"]  # None: a run of its own, never kept
    shared.shared("b", make("b"))
    shared.shared("a", make("a again"))    # a is the latest now...
    shared.shared("c", make("c"))          # ...so b goes
    assert list(shared._kept) == ["a", "c"]


def test_a_sent_figure_is_the_figure_with_its_dict_made_once():
    fig = go.Figure(go.Scatter(x=[1, 2, 3], y=[3, 1, 2]), layout=dict(title=dict(text="Loss")))
    sent = shared.SentFigure(fig)
    assert sent.to_dict() is sent.to_dict()              # no copy per page
    assert sent.to_dict() == fig.to_dict()               # and the same picture
    assert shared.figure(None, lambda: fig) is fig       # a run of its own: as built


def test_tiles_are_sent_as_png_and_a_shared_runs_are_encoded_once(monkeypatch):
    monkeypatch.setattr(shared, "_kept", type(shared._kept)())
    W = np.random.default_rng(0).normal(size=(784, 16))
    data, scale = health_panel._picture(W)
    img = Image.open(io.BytesIO(data))
    assert img.format == "PNG" and scale == np.abs(W).max()
    encoded = []
    monkeypatch.setattr(health_panel, "_picture", lambda M: encoded.append(1) or (b"png", 1.0))
    shown = []
    monkeypatch.setattr(health_panel.st, "image", lambda img, **kw: shown.append(img))
    for _page in range(3):
        health_panel.render_tiles(W, iteration=50, share="run A")
    assert encoded == [1] and shown == [b"png"] * 3
    health_panel.render_tiles(W, iteration=60, share="run A")  # a new snapshot
    health_panel.render_tiles(W, iteration=60)                 # a run of its own
    assert encoded == [1, 1, 1]
