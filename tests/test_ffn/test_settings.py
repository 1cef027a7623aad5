import numpy as np
import pytest

import ffn
from ffn.architecture import check_config
from ffn.network import MultiLayerNet
from ffn.presets import PRESETS, preset
from ffn.settings import Limits, SettingsError, TrainSettings, build_trainer, check, total_iters


def test_article_preset_is_the_articles_run():
    s = PRESETS["article"]
    assert (
        s.hidden_sizes(),
        s.weight_init,
        s.weight_init_std,
        s.optimizer,
        s.learning_rate,
        s.batch_size,
        s.iters,
        s.valid_ratio,
    ) == ([64, 32], "std", 0.01, "sgd", 0.01, 200, 5000, 0.1)


def test_build_trainer_splits_and_subsets(mnist):
    (x, t), _ = mnist
    tr = build_trainer(preset("article_he", train_size=3000, valid_ratio=0.2), x, t)
    assert len(tr.x_train) == 3000 and len(tr.x_valid) == 12000
    assert tr.net.hidden_size_list == [64, 32]
    assert isinstance(tr.optimizer, ffn.SGD)
    fast = build_trainer(preset("fast"), x, t)
    assert fast.total_iters == total_iters(PRESETS["fast"], 54000) == 4 * (54000 // 256)


@pytest.mark.parametrize(
    "changes, message, code",
    [
        (dict(hidden_size=100000), "hidden size", "units"),
        (dict(hidden_size_list=(8,) * 9), "1 to 8 sizes", "layers"),
        (dict(learning_rate=float("nan")), "learning rate", "learning_rate"),
        (dict(learning_rate=1e9), "learning rate", "learning_rate"),
        (dict(batch_size=0), "batch size", "batch_size"),
        (dict(iters=0), "iterations", "iters"),
        (dict(valid_ratio=0.9), "validation ratio", "valid_ratio"),
        (dict(train_size=59000), "training-set size", "train_size"),
        (dict(optimizer="newton"), "optimizer", "choice"),
        (dict(activation="gelu"), "activation", "choice"),
        (dict(weight_decay=-0.1), "weight_decay", "weight_decay"),
        (dict(weight_init_std=0.0, weight_init="std"), "weight_init_std", "init_std"),
        (dict(epochs=-1.0), "epochs", "epochs"),
        (dict(iters=10**7), "iterations", "iters"),
        (dict(iters=10**6, batch_size=60000), "would process", "samples"),
    ],
)
def test_absurd_settings_are_refused_with_a_code_a_page_can_word(changes, message, code):
    with pytest.raises(SettingsError, match=message) as e:
        check(TrainSettings(**changes))
    assert e.value.code == code and "got" in e.value.values
    assert isinstance(e.value, ValueError)


def test_the_networks_settings_are_the_networks_checks_within_the_callers_limits():
    app = Limits(max_units=512, max_layers=6)
    with pytest.raises(SettingsError, match=r"\[1, 512\], got 1024") as e:
        check(TrainSettings(hidden_size=1024), app)
    assert (e.value.code, e.value.values) == ("units", {"limit": 512, "got": 1024})
    check(TrainSettings(hidden_size=1024))  # the library's own bound is wider
    with pytest.raises(SettingsError) as e:
        check(TrainSettings(hidden_size_list=(8,) * 7), app)
    assert (e.value.code, e.value.values) == ("layers", {"limit": 6, "got": 7})
    with pytest.raises(SettingsError) as e:
        check(TrainSettings(activation=["relu"]))  # unhashable: still a SettingsError, never a TypeError
    assert e.value.code == "choice" and e.value.values["name"] == "activation"


def test_the_settings_name_the_networks_layers_and_config_once():
    s = TrainSettings(
        hidden_size=128, depth=3, activation="tanh", weight_decay=1e-3, dropout=0.2, residual=True
    )
    assert s.layer_sizes() == [784, 128, 128, 64, 10]
    cfg = s.net_config()
    assert check_config(**cfg) == MultiLayerNet(**cfg).config()
    assert (cfg["weight_decay_lambda"], cfg["dropout_ratio"], cfg["activation"]) == (1e-3, 0.2, "tanh")


def test_settings_come_back_from_their_dict_and_an_old_files_dict_takes_the_defaults():
    s = TrainSettings(hidden_size_list=(32, 16), optimizer="adam", augment=True)
    assert TrainSettings.from_dict(s.to_dict()) == s and s.to_dict()["hidden_size_list"] == [32, 16]
    old = {k: v for k, v in s.to_dict().items() if k not in ("residual", "dropout")}  # before the tricks
    assert TrainSettings.from_dict(old) == s
    with pytest.raises(ValueError, match=r"unknown settings \['colour'\]"):
        TrainSettings.from_dict({"colour": "red"})


@pytest.mark.parametrize("beta", [1.0, -0.1, 1.5, float("nan"), "0.9"])
def test_momentum_beta_is_a_share_in_0_to_1(beta):
    with pytest.raises(SettingsError) as e:
        check(TrainSettings(optimizer="momentum", momentum_beta=beta))
    assert e.value.code == "range" and (e.value.values["low"], e.value.values["high"]) == (0.0, 1.0)


def test_momentum_beta_changes_a_momentum_run_and_nothing_else(mnist):
    (x, t), _ = mnist

    def weights(optimizer, beta):
        s = preset("article_he", optimizer=optimizer, momentum_beta=beta, train_size=1000, iters=20, seed=3)
        check(s)
        tr = build_trainer(s, x, t)
        tr.step()
        return tr.net.param_vector.copy()

    for optimizer in ("momentum", "nesterov"):
        assert not np.array_equal(weights(optimizer, 0.5), weights(optimizer, 0.99))
    assert np.array_equal(weights("momentum", 0.0), weights("sgd", 0.9))  # no share of the last step: SGD
    for optimizer in ("sgd", "adam"):
        assert np.array_equal(weights(optimizer, 0.0), weights(optimizer, 0.95))
    assert all(s.momentum_beta == 0.9 for s in PRESETS.values())  # the presets' runs are as they were


def test_unknown_preset():
    with pytest.raises(ValueError, match="'best'"):
        preset("best")


def test_evals_per_run_gives_a_live_chart_enough_points(mnist):
    (x, t), _ = mnist
    fast = build_trainer(preset("fast"), x, t, evals_per_run=25)  # 840 iterations, 210 an epoch
    assert fast.eval_every == 840 // 25
    fast.step()
    assert len(fast.history["eval_iteration"]) >= 25
    assert build_trainer(preset("fast"), x, t).eval_every == 210  # default: once an epoch


def test_run_length_counts_as_the_trainer_does(mnist):
    (x, t), _ = mnist
    for s in (
        preset("article"),
        preset("fast"),
        preset("article_he", train_size=1000, batch_size=1024, iters=300),
    ):
        iters, batch, n_train, epochs = ffn.settings.run_length(s)
        tr = build_trainer(s, x, t)
        assert (iters, batch, n_train) == (tr.total_iters, tr.batch_size, len(tr.x_train))
        tr.iteration = iters
        assert epochs == tr.epoch


def test_depth_adds_layers_of_h_before_the_articles_last_h_over_2():
    assert TrainSettings(hidden_size=64).hidden_sizes() == [64, 32]  # the article's, depth 2
    assert TrainSettings(hidden_size=64, depth=5).hidden_sizes() == [64, 64, 64, 64, 32]
    assert TrainSettings(hidden_size_list=(10, 7), depth=6).hidden_sizes() == [10, 7]
    check(TrainSettings(depth=3, residual=True, normalization="layer", dropout=0.5))


@pytest.mark.parametrize(
    "changes, code",
    [
        (dict(depth=1), "depth"),
        (dict(depth=9), "depth"),
        (dict(depth=2.5), "depth"),
        (dict(dropout=0.95), "dropout"),
        (dict(dropout=float("nan")), "dropout"),
        (dict(residual=True), "residual"),  # depth 2: H and H/2, nothing to add
        (dict(normalization="group"), "choice"),
        (dict(residual="no", depth=3), "choice"),
        (dict(dropout="0.5"), "dropout"),
        (dict(dropout=None), "dropout"),
        (
            dict(normalization="batch", batch_size=1),
            "batch_norm_batch",
        ),  # one image has no spread to normalise
    ],
)
def test_the_tricks_settings_out_of_range_are_named(changes, code):
    with pytest.raises(SettingsError) as e:
        check(TrainSettings(**changes))
    assert e.value.code == code


def test_the_deep_presets_are_one_network_with_and_without_batch_norm(mnist):
    stuck, bn = PRESETS["deep_stuck"], PRESETS["deep_bn"]
    assert {k: v for k, v in vars(stuck).items() if getattr(bn, k) != v} == {"normalization": "none"}
    assert (
        stuck.hidden_sizes() == [128] * 4 + [64]
        and stuck.activation == "sigmoid"
        and stuck.optimizer == "sgd"
    )
    (x, t), _ = mnist
    net = build_trainer(bn, x, t).net
    assert [n for n in net.named_layers() if n.endswith("1")] == ["Affine1", "BatchNorm1", "Sigmoid1"]


def test_the_deep_network_stalls_without_batch_norm_and_learns_with_it(mnist):
    """A short version of the two lesson presets (300 iterations on 5,000 images): the loss
    of the plain network stays at chance, ln 10; with batch normalisation it falls."""
    (x, t), _ = mnist
    losses = {}
    for name in ("deep_stuck", "deep_bn"):
        tr = build_trainer(preset(name, train_size=5000, epochs=0, iters=300), x, t)
        tr.step()
        losses[name] = float(np.mean(tr.history["loss"][-30:]))
    assert losses["deep_stuck"] > np.log(10) - 0.02
    assert losses["deep_bn"] < 1.5


def test_build_trainer_fits_the_network_to_the_data_it_is_given():
    """The library trains on any width of input, not only MNIST's 784 pixels."""
    rng = np.random.default_rng(0)
    x, t = rng.random((300, 20), dtype=np.float32), rng.integers(0, 10, 300)
    tr = ffn.build_trainer(ffn.TrainSettings(hidden_size=8, iters=5, batch_size=10), x, t)
    assert tr.net.input_size == 20 and tr.step() == 5
