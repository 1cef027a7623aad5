"""The overfitting preset: the training and validation accuracies part, and a fix narrows the gap."""
import numpy as np

from ffn import preset
from ffn.settings import build_trainer


def final_gap(mnist, **changes):
    (x, t), (xt, tt) = mnist
    tr = build_trainer(preset("overfit", **changes), x, t, eval_size=2000, evals_per_run=25)
    tr.step()
    final = tr.final_accuracy(xt, tt)
    return 100 * (final["train"] - final["valid"]), tr.history


def test_the_overfitting_preset_parts_the_curves_and_augmenting_narrows_the_gap(mnist):
    gap, history = final_gap(mnist)
    assert gap >= 5  # points: it learned its 1,000 images by heart
    curves = np.asarray(history["train_acc"]) - np.asarray(history["valid_acc"])
    assert curves[-1] > curves[1] + 0.03  # the curves part as it trains
    narrowed, _ = final_gap(mnist, augment=True)
    assert narrowed < gap - 3
