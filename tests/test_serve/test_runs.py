"""A run's length, the queue's wait estimate and the throughput it uses."""

import pytest

import ffn
from ffn.settings import Limits
from serve.protocol import GRADCHECK, Job
from serve.runs import QUEUED, Pace, PoolRun, estimate_wait


@pytest.mark.parametrize(
    "busy_left, ahead, wait",
    [
        ([0.0], [], 0.0),  # an idle worker: no wait
        ([5.0], [], 5.0),  # the run in progress ends
        ([5.0], [3.0, 4.0], 12.0),  # ... then the two ahead of it
        ([5.0, 1.0], [3.0], 4.0),  # the one ahead takes the worker free first (at 1 s)
        ([5.0, 1.0], [3.0, 2.0], 5.0),  # 1+3=4, then 5: both workers busy until 4 and 5
        ([], [3.0], 3.0),  # no worker this moment (one is being replaced): as if one were free
    ],
)
def test_estimate_wait(busy_left, ahead, wait):
    assert estimate_wait(busy_left, ahead) == pytest.approx(wait)


def _job(task="train", **settings):
    return Job(ffn.TrainSettings(**settings), Limits(), eval_size=500, evals_per_run=10, task=task)


def test_a_runs_length_comes_from_its_settings():
    run = PoolRun(None, _job(iters=300, batch_size=64))
    assert run.state == QUEUED and (run.iterations, run.batch, run.images) == (300, 64, 300 * 64)
    run.progress = {"iteration": 100}
    assert run.images_done() == 6400
    by_epochs = PoolRun(None, _job(epochs=2, batch_size=100, train_size=1000))
    assert (by_epochs.iterations, by_epochs.batch) == (20, 100)
    assert PoolRun(None, _job(task=GRADCHECK)).images == 0  # a check trains nothing
    assert PoolRun(None, _job(), step=True).step_next and not PoolRun(None, _job()).step_next


def test_a_runs_work_follows_its_size_and_what_it_has_left_its_progress():
    small, wide = PoolRun(None, _job(iters=300, batch_size=64)), PoolRun(None, _job(iters=300, batch_size=64,
                                                                                        hidden_size=512))
    assert wide.work > 2 * small.work
    assert small.work_left() == small.work
    small.progress = {"iteration": 150}
    assert 0 < small.work_left() < small.work
    small.progress = {"iteration": 300}
    assert 0 < small.work_left() < small.work  # the final figures are still to come


def test_a_workers_pace_is_measured_on_what_it_trains_now():
    share = {"free": 1.0}
    pace = Pace(default=1000.0, window=10.0, free_share=lambda: share["free"])
    assert pace.expected(now=0.0) == 1000.0  # nothing measured: the default, on a free core
    share["free"] = 0.5                      # another replica's worker took half the cores
    assert pace.expected(now=0.0) == 500.0
    pace.began("w", 0.0, work=0.0)
    pace.reported("w", 0.5, work=400.0)
    assert pace.of("w") is None               # under a second: not yet a measure
    pace.reported("w", 2.0, work=1000.0)
    assert pace.of("w") == 500.0 and pace.expected(now=2.0) == 500.0
    for t in range(3, 30):                    # it slows down: the window follows it
        pace.reported("w", float(t), work=1000.0 + 100.0 * (t - 2))
    assert pace.of("w") == pytest.approx(100.0)
    pace.ended("w")
    assert pace.of("w") is None and pace.expected(now=40.0) == pytest.approx(100.0)  # measured last
    assert pace.expected(now=200.0) == 500.0  # long ago: the default again


def test_a_step_or_a_stop_while_waiting_counts_only_what_it_will_do():
    run = PoolRun(None, _job(iters=1000, batch_size=64))
    run.progress = {"iteration": 400}
    whole = run.work_left()
    run.step_next = True
    step = run.work_left()
    run.step_next, run.stop_now = False, True
    final = run.work_left()
    assert 0 < step < whole / 100 and 0 < final < whole
