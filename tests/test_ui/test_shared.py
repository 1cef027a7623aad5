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
    assert shared.figure(None, 3, lambda: fig, 0.0, 1.0) == (3, fig)  # a run of its own: as built


def test_a_live_chart_is_made_once_a_second_for_every_page_and_a_runs_last_exactly(monkeypatch):
    monkeypatch.setattr(shared, "_kept", type(shared._kept)())
    built = []

    def chart(points, now, exact=False):
        return shared.recent("run A loss", points, lambda: built.append(points) or f"{points} points", now,
                             fresh=1.0, exact=exact)
    assert chart(10, now=0.0) == (10, "10 points")
    assert chart(12, now=0.4) == (10, "10 points")   # another page, a moment later: the same chart
    assert chart(9, now=0.6) == (10, "10 points")    # one that polled earlier: the newer chart
    assert chart(15, now=1.2) == (15, "15 points")   # a second on: made again, from this page's points
    assert chart(16, now=1.3, exact=True) == (16, "16 points")  # the run's last: exactly its points
    assert chart(11, now=5.0) == (11, "11 points")   # a late page's older points, built...
    assert chart(16, now=5.1, exact=True) == (16, "16 points")  # ...never replace the newer chart
    assert built == [10, 15, 16, 11]


def test_the_page_that_finds_a_live_chart_old_makes_the_next_and_the_others_wait_for_it(monkeypatch):
    monkeypatch.setattr(shared, "_kept", type(shared._kept)())
    others = []

    def build():  # while this page builds, other pages ask: they get the chart there is
        others.append(shared.recent("run A loss", 21, lambda: "another build", now=2.1, fresh=1.0))
        return "20 points"
    shared.recent("run A loss", 10, lambda: "10 points", now=0.0, fresh=1.0)
    assert shared.recent("run A loss", 20, build, now=2.0, fresh=1.0) == (20, "20 points")
    assert others == [(10, "10 points")]
    assert shared.recent("run A loss", 22, lambda: "another build", now=2.2, fresh=1.0) == (20, "20 points")


def test_tiles_are_sent_as_jpeg_and_a_shared_runs_are_encoded_once(monkeypatch):
    monkeypatch.setattr(shared, "_kept", type(shared._kept)())
    W = np.random.default_rng(0).normal(size=(784, 16))
    data, scale = health_panel._picture(W)
    img = Image.open(io.BytesIO(data))
    assert img.format == "JPEG" and img.size == (230, 230) and scale == np.abs(W).max()
    encoded = []
    monkeypatch.setattr(health_panel, "_picture", lambda M: encoded.append(1) or (b"jpeg", 1.0))
    shown = []
    monkeypatch.setattr(health_panel.st, "image", lambda img, **kw: shown.append(img))
    for _page in range(3):
        health_panel.render_tiles(W, iteration=50, share="run A")
    assert encoded == [1] and shown == [b"jpeg"] * 3
    health_panel.render_tiles(W, iteration=60, share="run A")  # a new snapshot
    health_panel.render_tiles(W, iteration=60)                 # a run of its own
    assert encoded == [1, 1, 1]
