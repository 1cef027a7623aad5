import threading

import numpy as np
import pytest

import ffn
from ffn.settings import PRESETS, check
from ui.run import APP_LIMITS, MODEL_LIMITS, Run
from ui.sidebar import STOPS


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


@pytest.mark.timeout(30)
def test_two_threads_ticking_one_run_train_it_as_one_would(mnist):
    """What a click during training did with fastReruns: two script threads ticking one run."""
    (x, t), (xt, tt) = mnist
    s = ffn.preset("article_he", iters=300, train_size=2000, seed=4)
    solo = Run.start(s, x, t)
    while solo.active:
        solo.tick(0.02)
    duo = Run.start(s, x, t)
    done = []

    def drive():
        while duo.active:
            duo.tick(0.01)
        done.append(duo.finish(xt, tt))
    threads = [threading.Thread(target=drive) for _ in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(10)
    assert not any(th.is_alive() for th in threads)
    assert duo.trainer.iteration == 300 and duo.trainer.status == "finished"
    for k in solo.trainer.net.params:
        np.testing.assert_array_equal(duo.trainer.net.params[k], solo.trainer.net.params[k])
    assert done[0] is done[1]  # finished once, by one thread; the other got its figures


def test_presets_pass_the_app_limits():
    for s in PRESETS.values():
        check(s, APP_LIMITS)


def test_app_limits_keep_runs_short():
    with pytest.raises(ValueError, match="would process"):
        check(ffn.TrainSettings(iters=20000, batch_size=1024), APP_LIMITS)
    with pytest.raises(ValueError, match="hidden sizes"):
        check(ffn.TrainSettings(hidden_size=2048), APP_LIMITS)
    check(ffn.TrainSettings(hidden_size=2048))  # fine for the command line


def test_the_model_budget_is_twice_the_largest_network_the_sidebar_builds():
    largest = ffn.TrainSettings(hidden_size=max(STOPS["hidden_size"])).hidden_sizes()
    assert largest == [512, 256]
    check(ffn.TrainSettings(hidden_size_list=tuple(largest)), APP_LIMITS)
    assert MODEL_LIMITS["max_params"] == 2 * (784 * 512 + 512 + 512 * 256 + 256 + 256 * 10 + 10)
    assert ffn.load_model(**MODEL_LIMITS).hidden_size_list == largest  # the bundled model fits


def test_a_finished_run_keeps_its_facts_in_its_network(mnist):
    (x, t), (xt, tt) = mnist
    run = Run.start(ffn.preset("article_he", iters=30, train_size=1000), x, t)
    while run.active:
        run.tick(0.05)
    run.finish(xt, tt)
    assert run.trainer.net.meta["test_accuracy"] == run.final["test"]
    assert run.trainer.net.meta["command"] == "trained in the ffn-digits app"
