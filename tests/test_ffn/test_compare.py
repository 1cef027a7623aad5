"""Runs side by side: the settings that differ, and their curves on a shared axis."""


import ffn
from ffn.compare import FIELDS, differing_settings, iterations_to


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


def test_the_axes_and_the_accuracy_compared_on():
    from ffn.compare import accuracy_series, x_values

    s = ffn.TrainSettings(batch_size=64, train_size=6400, valid_ratio=0.0)  # 100 iterations an epoch
    assert x_values([10, 20], s, "images").tolist() == [640, 1280]
    assert x_values([50, 200], s, "epochs").tolist() == [0.5, 2.0]  # from the settings, before any evaluation
    assert x_values([10, 20], s).tolist() == [10, 20]
    import pytest

    with pytest.raises(ValueError, match="axis must be one of"):
        x_values([1], s, "seconds")  # a clock's time is the server's, not the run's
    assert accuracy_series([ffn.TrainSettings(), ffn.TrainSettings(valid_ratio=0.2)]) == "valid_acc"
    assert accuracy_series([ffn.TrainSettings(), ffn.TrainSettings(valid_ratio=0.0)]) == "train_acc"
