import numpy as np
import pytest

from ui import charts


def test_smooth_is_debiased_and_tracks_a_constant():
    np.testing.assert_allclose(charts.smooth([2.0] * 50), 2.0)
    s = charts.smooth([0.0] * 10 + [1.0] * 200)
    assert s[0] == 0 and s[-1] == pytest.approx(1, abs=1e-3)


def test_loss_and_accuracy_figures():
    h = {"iteration": list(range(1, 5001)), "loss": list(np.linspace(2.3, 0.1, 5000)),
         "epoch": [0, 1, 2], "train_acc": [0.1, 0.8, 0.9], "valid_acc": [0.1, 0.75, 0.85]}
    loss = charts.loss_figure(h)
    assert [t.name for t in loss.data] == ["loss (each batch)", "smoothed"]
    assert len(loss.data[0].x) <= 2 * charts.MAX_POINTS
    acc = charts.accuracy_figure(h)
    assert [t.name for t in acc.data] == ["train", "validation"]
    empty = {"iteration": [], "loss": [], "epoch": [], "train_acc": [], "valid_acc": []}
    assert len(charts.loss_figure(empty).data) == 0


def test_probability_figure_highlights_the_best():
    p = np.full(10, 0.02)
    p[4] = 0.82
    fig = charts.probability_figure(p)
    bar = fig.data[0]
    assert list(bar.x) == [str(i) for i in range(10)]
    assert bar.marker.color[4] != bar.marker.color[0]
