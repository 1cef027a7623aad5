"""Runs side by side: the settings that differ, and their curves on a shared axis."""

import numpy as np

import ffn
from ffn.compare import FIELDS, differing_settings, iterations_to, seconds_at


def test_the_differences_name_exactly_the_settings_that_differ():
    a = ffn.TrainSettings()
    assert differing_settings([a, ffn.TrainSettings()]) == []
    assert differing_settings([a, ffn.TrainSettings(activation="sigmoid")]) == ["activation"]
    three = [a, ffn.TrainSettings(weight_init="he"), ffn.TrainSettings(weight_init="he", learning_rate=0.1)]
    assert differing_settings(three) == ["weight_init", "learning_rate"]
    assert differing_settings([a]) == [] and differing_settings([]) == []
    assert set(FIELDS) >= {"activation", "weight_init", "optimizer", "learning_rate", "seed", "augment"}


def test_iterations_to_a_threshold():
    h = {
        "eval_iteration": [0, 10, 20, 30],
        "valid_acc": [0.1, 0.85, 0.91, 0.95],
        "train_acc": [0.1, 0.9, 0.9, 1],
    }
    assert iterations_to(h, 0.9) == 20
    assert iterations_to(h, 0.9, "train_acc") == 10
    assert iterations_to(h, 0.99) is None
    assert iterations_to({"eval_iteration": [], "valid_acc": []}) is None


def test_seconds_are_interpolated_from_the_health_points(mnist):
    h = {"health_iteration": [1, 10, 20], "health_seconds": [0.0, 0.9, 1.9]}
    np.testing.assert_allclose(seconds_at(h, [0, 1, 5.5, 20, 30]), [0, 0, 0.45, 1.9, 1.9])
    assert np.isnan(seconds_at({}, [1, 2])).all()
    (x, t), _ = mnist
    tr = ffn.build_trainer(
        ffn.preset("article_he", iters=200, train_size=2000), x, t, eval_size=500, evals_per_run=5
    )
    tr.step()
    s = seconds_at(tr.history, tr.history["iteration"])
    assert np.all(np.diff(s) >= 0) and 0 < s[-1] <= tr.train_seconds


def test_the_axes_and_the_accuracy_compared_on():
    from ffn.compare import accuracy_series, x_values

    h = {"health_iteration": [10, 20], "health_seconds": [1.0, 2.0]}
    assert x_values(h, [10, 20], 64, "images").tolist() == [640, 1280]
    assert x_values(h, [10, 20], 64, "seconds").tolist() == [1.0, 2.0]
    assert x_values(h, [10, 20], 64).tolist() == [10, 20]
    import pytest

    with pytest.raises(ValueError, match="axis must be one of"):
        x_values(h, [1], 64, "epochs")
    assert accuracy_series([ffn.TrainSettings(), ffn.TrainSettings(valid_ratio=0.2)]) == "valid_acc"
    assert accuracy_series([ffn.TrainSettings(), ffn.TrainSettings(valid_ratio=0.0)]) == "train_acc"
