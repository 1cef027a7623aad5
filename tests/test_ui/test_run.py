from dataclasses import replace
import io
import time
import tomllib

import pytest

import ffn
from ffn.presets import PRESETS
from ffn.settings import check
from serve.pool import TrainingPool
from serve.runs import CANCELLED, DONE, PAUSED, RUNNING
from ui.fields import FIELDS, Stops
from ui.run import APP_LIMITS, MODEL_LIMITS, Run
from tests.support import ROOT

STOPS = {f.name: f.widget.values for f in FIELDS if isinstance(f.widget, Stops)}


def follow(run, timeout=60):
    deadline = time.monotonic() + timeout
    while not run.sync().done:
        assert time.monotonic() < deadline, f"run still {run.state}"
        time.sleep(0.02)
    return run


class Clock:
    """The pool's clock, which moves only when the test moves it."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.mark.timeout(120)
def test_the_wall_time_is_the_pools_clock_not_when_the_page_looked():
    """A page on the Draw tab stops polling; the run that ends meanwhile keeps its own time."""
    clock = Clock()
    pool = TrainingPool(workers=1, chunk=0.05, clock=clock)
    try:
        run = Run.start(ffn.preset("article_he", iters=7000, train_size=2000), "w", pool)
        while run.sync().state != RUNNING:
            run.wait_for_change(1.0)
        clock.now += 7.0  # it trains for seven seconds of the pool's clock
        run.stop()
        while not run.ended_since_sync():  # the page does not look
            run.wait_for_change(1.0)
        clock.now += 1000.0  # it looks long after
        assert run.sync().done and run.wall_seconds == 7.0
        clock.now += 5.0
        assert run.sync().wall_seconds == 7.0  # and it stops when the run does
    finally:
        pool.shutdown()


@pytest.mark.timeout(120)
def test_a_run_trains_in_the_pool_and_offers_its_model(pool):
    run = Run.start(ffn.preset("article_he", iters=150, train_size=2000), "a", pool)
    assert run.active
    follow(run)
    assert run.state == DONE and run.outcome[0] == "finished" and run.wall_seconds > 0
    assert run.history["iteration"] == list(range(1, 151)) and len(run.history["loss"]) == 150
    assert set(run.final) == {"train", "valid", "test"} and run.final["test"] > 0.7
    loaded = ffn.load_model(io.BytesIO(run.model.read()))  # a file in the pool's folder, not in memory
    assert loaded.meta["test_accuracy"] == run.final["test"] == run.net.meta["test_accuracy"]
    assert loaded.meta["command"] == "trained in the ffn-digits app"


@pytest.mark.timeout(120)
def test_pause_resume_and_stop(pool):
    run = Run.start(ffn.preset("article_he", iters=7000), "b", pool)
    while not (run.sync().progress and run.progress["iteration"] > 20):
        time.sleep(0.02)
    run.toggle_pause()
    while not run.sync().paused:
        time.sleep(0.02)
    assert not run.active and not run.done
    run.toggle_pause()
    while run.sync().state != RUNNING:
        time.sleep(0.02)
    run.stop()
    follow(run)
    assert run.outcome[0] == "stopped" and run.history["iteration"][-1] == run.outcome[1]["iteration"]


@pytest.mark.timeout(120)
def test_step_before_a_run_then_again_then_reset(pool):
    run = Run.start(ffn.preset("article_he", iters=150, train_size=2000), "d", pool, step=True)
    while not run.sync().paused:
        run.wait_for_change(1.0)
    assert run.progress["iteration"] == 1 and run.snapshot("step")["iteration"] == 1
    run.step()
    while run.sync().state != PAUSED or run.progress["iteration"] < 2:
        run.wait_for_change(1.0)
    assert run.progress["iteration"] == 2 and run.snapshot("step")["iteration"] == 2
    run.cancel()  # Reset
    assert run.sync().state == CANCELLED and run.done and run.outcome is None


def test_settings_beyond_the_app_limits_never_reach_the_pool(pool):
    with pytest.raises(ValueError, match="hidden size must be an integer in \\[1, 512\\]"):
        Run.start(ffn.preset("article_he", hidden_size=4096), "c", pool)
    assert pool.status()["queued"] == 0


def test_presets_pass_the_app_limits():
    for s in PRESETS.values():
        check(s, APP_LIMITS)


def test_app_limits_keep_runs_short():
    with pytest.raises(ValueError, match="would process"):
        check(ffn.TrainSettings(iters=20000, batch_size=1024), APP_LIMITS)
    with pytest.raises(ValueError, match="hidden size must be an integer in \\[1, 512\\]"):
        check(ffn.TrainSettings(hidden_size=2048), APP_LIMITS)
    check(ffn.TrainSettings(hidden_size=2048))  # fine for the command line


def test_the_model_budget_is_twice_the_largest_network_the_sidebar_builds():
    widest = ffn.TrainSettings(hidden_size=max(STOPS["hidden_size"]))
    largest = replace(widest, depth=max(STOPS["depth"]), normalization="batch")
    assert widest.hidden_sizes() == [512, 256] and largest.hidden_sizes() == [512] * 5 + [256]
    check(largest, APP_LIMITS)
    with pytest.raises(ffn.SettingsError):
        check(replace(largest, depth=largest.depth + 1), APP_LIMITS)
    weights = 784 * 512 + 4 * 512 * 512 + 512 * 256 + 256 * 10  # and a bias, a scale and a shift per unit
    assert MODEL_LIMITS["max_params"] == 2 * (weights + 3 * (5 * 512 + 256) + 10)
    assert ffn.load_model(**MODEL_LIMITS).hidden_size_list == [512, 256]  # the bundled model fits


def test_the_largest_model_the_sidebar_trains_can_be_handed_back_in():
    largest = replace(
        ffn.TrainSettings(hidden_size=max(STOPS["hidden_size"])),
        depth=max(STOPS["depth"]),
        normalization="batch",
    )
    net = ffn.MultiLayerNet(784, largest.hidden_sizes(), 10, normalization="batch", seed=0)
    size = len(ffn.model_bytes(net))
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert 6 * 2**20 < size <= config["server"]["maxUploadSize"] * 2**20, size  # the uploader's own limit
    assert ffn.load_model(ffn.model_bytes(net), **MODEL_LIMITS).hidden_size_list == largest.hidden_sizes()


def test_two_runs_of_the_same_settings_have_two_share_keys_and_a_private_run_none():
    """A shared run's pictures are kept by its share key (ui/shared): the next class on the same
    link trains a new run, which must never be shown the last one's charts."""
    import types

    from serve.runs import PoolRun
    from tests.test_serve.test_pool import job
    first, second = (PoolRun(None, job(iters=100), key="the same settings") for _ in range(2))
    key = lambda run: Run.share_key(types.SimpleNamespace(handle=types.SimpleNamespace(run=run)))  # noqa: E731
    assert key(first)[0] == key(second)[0] and key(first) != key(second)
    assert key(PoolRun(None, job(iters=100))) is None
