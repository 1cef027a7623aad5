"""The presets: named runs a student starts from, the article's and the lessons'."""
from dataclasses import replace

from .settings import TrainSettings


PRESETS = {
    # The article's exact settings: they stall at 20-30 % (tiny weights through 3 layers).
    "article": TrainSettings(),
    # The same network and optimizer with weights scaled to the layer size: it learns.
    "article_he": TrainSettings(weight_init="he", learning_rate=0.1),
    # Wider, Adam with a cosine schedule: 98 % on MNIST test in about two seconds. Tuned
    # on the validation split, never on the test set, so that its test score stays honest.
    "fast": TrainSettings(hidden_size=256, weight_init="he", optimizer="adam",
                          learning_rate=8e-3, lr_schedule="cosine", batch_size=256,
                          epochs=4),
    # Five Sigmoid layers of tiny weights (std 0.01) and plain SGD: the signal, and so the
    # gradient, shrinks at every layer, and the run stays at chance (11 % on MNIST test).
    "deep_stuck": TrainSettings(hidden_size=128, depth=5, activation="sigmoid", weight_init="std",
                                learning_rate=0.3, batch_size=100, epochs=4),
    # The same network with batch normalisation: each layer's sums are rescaled to mean 0 and
    # variance 1 whatever the weights' size, so the gradient gets through: 95 % in 4 epochs.
    "deep_bn": TrainSettings(hidden_size=128, depth=5, activation="sigmoid", weight_init="std",
                             learning_rate=0.3, batch_size=100, epochs=4, normalization="batch"),
    # 1,000 training images seen 150 times each, nothing against overfitting: the network
    # learns them by heart (100 % on them) and reads the validation set 11 points worse.
    # Augmenting each batch narrows that gap to about 3 points (tests/test_ffn/test_presets.py).
    "overfit": TrainSettings(hidden_size=256, weight_init="he", optimizer="adam", learning_rate=1e-3,
                             batch_size=100, train_size=1000, iters=1500),
}


def preset(name, **changes):
    """A copy of a preset, optionally with some settings changed."""
    if name not in PRESETS:
        raise ValueError(f"preset must be one of {sorted(PRESETS)}, got {name!r}")
    return replace(PRESETS[name], **changes)
