"""A run's length, the queue's wait estimate and the throughput it uses."""

import time

import pytest

import ffn
from ffn.settings import Limits
from serve.protocol import GRADCHECK, Job
from serve.runs import QUEUED, PoolRun, Throughput, estimate_wait


@pytest.mark.parametrize(
    "busy_left, ahead, wait",
    [
        ([0.0], [], 0.0),  # an idle worker: no wait
        ([5.0], [], 5.0),  # the run in progress ends
        ([5.0], [3.0, 4.0], 12.0),  # ... then the two ahead of it
        ([5.0, 1.0], [3.0], 4.0),  # the one ahead takes the worker free first (at 1 s)
        ([5.0, 1.0], [3.0, 2.0], 5.0),  # 1+3=4, then 5: both workers busy until 4 and 5
    ],
)
def test_estimate_wait(busy_left, ahead, wait):
    assert estimate_wait(busy_left, ahead) == pytest.approx(wait)


def _job(task="train", **settings):
    return Job(ffn.TrainSettings(**settings), Limits(), eval_size=500, evals_per_run=10, task=task)


def _running(iteration, batch, seconds, done_before=0):
    run = PoolRun(None, _job(iters=1000, batch_size=batch))
    run.progress = {"iteration": iteration}
    run.started_at = time.monotonic() - seconds
    run.done_before = done_before
    return run


def test_a_runs_length_comes_from_its_settings():
    run = PoolRun(None, _job(iters=300, batch_size=64))
    assert run.state == QUEUED and (run.iterations, run.batch, run.images) == (300, 64, 300 * 64)
    run.progress = {"iteration": 100}
    assert run.images_done() == 6400 and run.images_left() == 200 * 64
    by_epochs = PoolRun(None, _job(epochs=2, batch_size=100, train_size=1000))
    assert (by_epochs.iterations, by_epochs.batch) == (20, 100)
    assert PoolRun(None, _job(task=GRADCHECK)).images == 0  # a check trains nothing
    assert PoolRun(None, _job(), step=True).step_next and not PoolRun(None, _job()).step_next


def test_throughput_from_finished_runs_then_from_runs_in_progress_then_the_default():
    tp = Throughput(default=1000.0)
    assert tp.rate() == 1000.0
    assert tp.rate([_running(10, 100, 0.5)]) == 1000.0  # under a second: not yet a measure
    assert tp.rate([_running(100, 100, 4.0)]) == pytest.approx(2500.0, rel=0.01)
    # images since this stay began: a resumed run that had 5,000 before
    assert tp.rate([_running(100, 100, 2.0, done_before=5000)]) == pytest.approx(2500.0, rel=0.01)
    tp.finished(0, 3.0, 30_000)  # a run stopped at once says nothing
    tp.finished(30_000, 10.0, 30_000)
    assert tp.rate([_running(100, 100, 4.0)]) == 3000.0  # a finished run's wall-time rate wins
    tp.finished(10_000, 10.0, 10_000)
    assert tp.rate() == pytest.approx(2000.0)  # the mean of the last and the one before


def test_a_run_stopped_at_once_barely_moves_the_throughput():
    tp = Throughput()
    tp.finished(100_000, 2.0, 100_000)  # 50,000 images/s
    tp.finished(256, 1.0, 100_000)  # stopped after one step: its time is overhead
    assert tp.rate() == 50_000.0
