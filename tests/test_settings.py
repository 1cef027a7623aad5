import pytest

import ffn
from ffn.settings import APP_LIMITS, PRESETS, TrainSettings, build_trainer, check, preset, total_iters


def test_presets_pass_the_app_limits():
    for s in PRESETS.values():
        check(s, APP_LIMITS)


def test_article_preset_is_the_articles_run():
    s = PRESETS["article"]
    assert (s.hidden_sizes(), s.weight_init, s.weight_init_std, s.optimizer, s.learning_rate,
            s.batch_size, s.iters, s.valid_ratio) == ([64, 32], "std", 0.01, "sgd", 0.01, 200, 5000, 0.1)


def test_build_trainer_splits_and_subsets(mnist):
    (x, t), _ = mnist
    tr = build_trainer(preset("article_he", train_size=3000, valid_ratio=0.2), x, t)
    assert len(tr.x_train) == 3000 and len(tr.x_valid) == 12000
    assert tr.net.hidden_size_list == [64, 32]
    assert isinstance(tr.optimizer, ffn.SGD)
    fast = build_trainer(preset("fast"), x, t)
    assert fast.total_iters == total_iters(PRESETS["fast"], 60000) == 6 * (60000 // 512)


@pytest.mark.parametrize("changes, message", [
    (dict(hidden_size=100000), "hidden sizes"),
    (dict(hidden_size_list=(8,) * 9), "hidden layers"),
    (dict(learning_rate=float("nan")), "learning rate"),
    (dict(learning_rate=1e9), "learning rate"),
    (dict(batch_size=0), "batch size"),
    (dict(iters=0), "iterations"),
    (dict(valid_ratio=0.9), "validation ratio"),
    (dict(train_size=59000), "training-set size"),
    (dict(optimizer="newton"), "optimizer"),
    (dict(activation="gelu"), "activation"),
    (dict(weight_decay=-0.1), "weight decay"),
])
def test_absurd_settings_are_refused(changes, message):
    with pytest.raises(ValueError, match=message):
        check(TrainSettings(**changes))


def test_app_limits_keep_runs_short():
    with pytest.raises(ValueError, match="would process"):
        check(TrainSettings(iters=20000, batch_size=1024), APP_LIMITS)
    with pytest.raises(ValueError, match="hidden sizes"):
        check(TrainSettings(hidden_size=2048), APP_LIMITS)
    check(TrainSettings(hidden_size=2048))  # fine for the command line


def test_unknown_preset():
    with pytest.raises(ValueError, match="'best'"):
        preset("best")


def test_evals_per_run_gives_a_live_chart_enough_points(mnist):
    (x, t), _ = mnist
    fast = build_trainer(preset("fast"), x, t, evals_per_run=25)  # 702 iterations, 117 an epoch
    assert fast.eval_every == 702 // 25
    fast.step()
    assert len(fast.history["eval_iteration"]) >= 25
    assert build_trainer(preset("fast"), x, t).eval_every == 117  # default: once an epoch
