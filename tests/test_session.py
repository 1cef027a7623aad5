import pytest

import ffn
from ffn.session import Run


def test_a_run_ticks_to_the_end_and_offers_its_model(mnist):
    (x, t), (xt, tt) = mnist
    run = Run.start(ffn.preset("article_he", iters=150, train_size=2000), x, t)
    assert run.active
    while run.active:
        run.tick(0.05)
    assert run.trainer.status == "finished" and run.wall_seconds > 0
    final = run.finish(xt, tt)
    assert set(final) == {"train", "valid", "test"} and final["test"] > 0.7
    loaded = ffn.load_model(run.model_file)
    assert loaded.meta["test_accuracy"] == final["test"]
    assert run.finish(xt, tt) is final  # computed once


def test_pause_and_app_limits(mnist):
    (x, t), _ = mnist
    run = Run.start(ffn.preset("article_he", iters=100), x, t)
    run.set_paused(True)
    assert not run.active
    run.set_paused(False)
    assert run.active
    with pytest.raises(ValueError, match="hidden sizes"):
        Run.start(ffn.preset("article_he", hidden_size=4096), x, t)
