import numpy as np
import pytest

from ui import charts


def test_smooth_is_debiased_and_tracks_a_constant():
    np.testing.assert_allclose(charts.smooth([2.0] * 50), 2.0)
    s = charts.smooth([0.0] * 10 + [1.0] * 200)
    assert s[0] == 0 and s[-1] == pytest.approx(1, abs=1e-3)


def test_loss_and_accuracy_figures_share_the_iteration_axis_the_epoch_told_besides():
    h = {"iteration": list(range(1, 5001)), "loss": list(np.linspace(2.3, 0.1, 5000)),
         "eval_iteration": [0, 2500, 5000], "epoch": [0, 1, 2], "train_acc": [0.1, 0.8, 0.9],
         "valid_acc": [0.1, 0.75, 0.85]}
    loss = charts.loss_figure(h)
    assert [t.name for t in loss.data] == ["loss (each batch)", "smoothed"]
    assert len(loss.data[0].x) <= 2 * charts.MAX_POINTS
    acc = charts.accuracy_figure(h)
    assert [t.name for t in acc.data] == ["train", "validation"]
    assert all(list(t.x) == [0, 2500, 5000] and list(t.customdata) == [0, 1, 2] for t in acc.data)
    assert acc.layout.xaxis.title.text == "iteration (1 epoch = 2,500 iterations)"
    assert loss.layout.xaxis.title.text == "iteration"
    assert "epoch %{customdata:.2f}" in acc.data[0].hovertemplate
    empty = {"iteration": [], "loss": [], "eval_iteration": [], "epoch": [], "train_acc": [], "valid_acc": []}
    assert len(charts.loss_figure(empty).data) == 0
    assert charts.accuracy_figure({**empty, "eval_iteration": [0], "epoch": [0.0], "train_acc": [0.1]}
                                  ).layout.xaxis.title.text == "iteration"  # no epoch yet to tell


def test_iterations_per_epoch_comes_from_the_evaluations():
    assert charts.iterations_per_epoch({"eval_iteration": [0, 100, 225], "epoch": [0, 100 / 225, 1.0]}) == 225
    assert charts.iterations_per_epoch({"eval_iteration": [0], "epoch": [0.0]}) is None


def test_probability_figure_highlights_the_best():
    p = np.full(10, 0.02)
    p[4] = 0.82
    fig = charts.probability_figure(p)
    bar = fig.data[0]
    assert list(bar.x) == [str(i) for i in range(10)]
    assert bar.marker.color[4] != bar.marker.color[0]


def test_the_accuracy_chart_names_the_gap_where_the_curves_part():
    h = {"eval_iteration": [0, 500, 1000], "epoch": [0, 50, 100], "train_acc": [0.1, 0.97, 1.0],
         "valid_acc": [0.1, 0.88, 0.886]}
    label, = charts.accuracy_figure(h).layout.annotations
    assert label.text == "gap 11 points: overfitting" and label.x == 1000
    assert 0.886 < label.y < 1.0  # between the two curves' ends
    close = {**h, "valid_acc": [0.1, 0.96, 0.98]}  # 2 points apart: no gap named
    assert not charts.accuracy_figure(close).layout.annotations
