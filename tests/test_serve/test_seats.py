"""Identical runs train once: joining, late arrivals, a copy of one's own on Stop and Pause,
leaving, the finished runs kept, and one run per browser. Each test has a hang guard."""
import os
import signal
import subprocess
import sys

import numpy as np
import pytest

import ffn
from serve.protocol import GRADCHECK
from serve.runs import BROWSER_BUSY, CANCELLED, DONE, PAUSED, QUEUE_FULL, QUEUED, RUNNING, PoolRun, Refused
from serve.seats import SharedRuns, job_key
from tests.support.blas import skip_unless_threads_change_bits
from tests.test_serve.test_pool import job, trained, until, wait_until


def two_on_one_run(pool):
    """Two sessions' seats on one run of 3,000 iterations, 100 of them trained."""
    a, b = pool.submit("a", job(iters=3000)), pool.submit("b", job(iters=3000))
    wait_until(a, {RUNNING})
    trained(a, 100)
    return a, b


def weights(result):
    return ffn.load_model(result.model.path).state_vector


@pytest.mark.timeout(120)
def test_the_same_run_twice_trains_once_and_both_see_it_from_the_first_point(pool):
    a = pool.submit("a", job(iters=1500))
    wait_until(a, {RUNNING})
    trained(a, 50)
    b = pool.submit("b", job(iters=1500))  # the same settings and seed, while it trains
    assert b.run is a.run and pool.status()["queued"] == 0 and pool.status()["busy"] == 1
    first = b.poll()
    assert first["students"] == 2 and first["points"]["iteration"][:3] == [1, 2, 3]  # from the first point
    seen_a, seen_b = wait_until(a, {DONE}), wait_until(b, {DONE})
    assert seen_a["points"]["loss"] == first["points"]["loss"] + seen_b["points"].get("loss", [])
    assert a.result is b.result and a.result.iteration == 1500
    late = pool.submit("c", job(iters=1500))  # finished: a late arrival gets it at once
    first = late.poll()
    assert first["state"] == DONE and first["result"] is a.result and first["students"] == 3
    assert first["points"]["loss"] == seen_a["points"]["loss"]
    other = pool.submit("d", job(iters=1500, seed=1))  # another seed is another run
    assert other.run is not a.run and other.state in (QUEUED, RUNNING)
    other.cancel()


@pytest.mark.timeout(180)
def test_stop_on_a_shared_run_gives_a_stopped_copy_and_the_run_goes_on(pool):
    a, b = two_on_one_run(pool)
    a.stop()
    stopped = wait_until(a, {DONE})["last"]
    assert stopped["result"].status == "stopped" and stopped["result"].outcome[0] == "stopped"
    at = stopped["result"].iteration
    assert 100 <= at < 3000 and stopped["progress"]["iteration"] == at
    assert set(stopped["result"].final) >= {"train", "test"} and a.run is not b.run
    assert b.state == RUNNING  # the shared run goes on for b
    wait_until(b, {DONE})
    assert b.result.iteration == 3000 and b.poll()["students"] == 2  # it trained for both, a for a while
    assert not np.array_equal(weights(stopped["result"]), weights(b.result))


@pytest.mark.timeout(240)
def test_pause_on_a_shared_run_forks_a_private_run_that_ends_with_the_same_weights(pool):
    a, b = pool.submit("a", job(iters=2000)), pool.submit("b", job(iters=2000))
    wait_until(a, {RUNNING})
    trained(a, 100)
    a.pause()
    wait_until(a, {PAUSED})
    assert 100 <= a.checkpoint.iteration < 2000 and a.run is not b.run and a.run.key is None
    wait_until(b, {DONE})  # the shared run went on meanwhile
    c = pool.submit("c", job(iters=2000))
    assert c.run is b.run  # the finished shared run is still the one to join, not the paused copy
    a.resume()
    wait_until(a, {DONE})
    assert a.result.iteration == 2000
    np.testing.assert_array_equal(weights(a.result), weights(b.result))  # paused, resumed: the same bits


@pytest.mark.timeout(120)
def test_a_paused_run_or_one_begun_with_step_is_never_joined(pool):
    a = pool.submit("a", job(iters=20000))
    wait_until(a, {RUNNING})
    trained(a, 20)
    a.pause()  # alone: the run itself pauses, and is private from now on
    wait_until(a, {PAUSED})
    b = pool.submit("b", job(iters=20000))
    assert b.run is not a.run
    b.cancel()
    stepper = pool.submit("s", job(iters=20000, seed=3), step=True)
    other = pool.submit("o", job(iters=20000, seed=3))
    assert other.run is not stepper.run and job_key(stepper.job, step=True) is None
    for seat in (a, stepper, other):
        seat.cancel()


@pytest.mark.timeout(120)
def test_the_shared_run_stops_when_nobody_watches(pool):
    a, b = pool.submit("a", job(iters=20000)), pool.submit("b", job(iters=20000))
    wait_until(a, {RUNNING})
    a.cancel()  # Reset: a leaves, b watches on
    assert a.state == CANCELLED and b.state == RUNNING
    pool.end_session("b")  # b's page went away: nobody watches
    assert b.state == CANCELLED
    until(lambda: pool.status()["busy"] == 0)


@pytest.mark.timeout(180)
def test_a_run_has_the_same_bits_after_a_pause_under_another_processs_load(pool):
    skip_unless_threads_change_bits()  # else the load could not change the bits anyway
    pool._shared = SharedRuns(keep_runs=0)  # two runs of the same settings, not one
    adam = dict(optimizer="adam", learning_rate=1e-3)
    straight = pool.submit("straight", job(iters=1200, **adam))
    wait_until(straight, {DONE})
    burner = subprocess.Popen([sys.executable, "-c", "while True: pass"])  # another program takes a core
    try:
        run = pool.submit("paused", job(iters=1200, **adam))
        wait_until(run, {RUNNING})
        trained(run, 100)
        run.pause()
        wait_until(run, {PAUSED})
        run.resume()
        wait_until(run, {DONE})
    finally:
        os.kill(burner.pid, signal.SIGKILL)
        burner.wait()
    np.testing.assert_array_equal(weights(run.result), weights(straight.result))
    # and the library's own Trainer, in this process, with whatever BLAS threads it has, agrees
    (x, t), _test = ffn.load_mnist()
    tr = ffn.build_trainer(straight.job.settings, x, t, limits=straight.job.limits, eval_size=500,
                           evals_per_run=10)
    tr.step()
    np.testing.assert_array_equal(tr.net.state_vector, weights(straight.result))


@pytest.mark.timeout(120)
def test_ten_tabs_of_one_browser_get_one_run(pool):
    first = pool.submit("tab0", job(iters=20000, seed=0), browser="B")
    for i in range(1, 10):
        with pytest.raises(Refused) as refused:
            pool.submit(f"tab{i}", job(iters=20000, seed=i), browser="B")
        assert refused.value.code == BROWSER_BUSY
    joined = [pool.submit(f"tab{i}", job(iters=20000, seed=0), browser="B") for i in range(1, 10)]
    assert all(seat.run is first.run for seat in joined)  # a seat at its run costs nothing...
    wait_until(first, {RUNNING})
    trained(first, 20)
    for seat in joined:
        seat.pause()  # ...and each tab's paused copy of it...
    until(lambda: all(seat.state == PAUSED for seat in joined))
    for seat in joined:
        with pytest.raises(Refused):  # ...waits while the browser's run trains
            seat.resume()
    first.cancel()  # tab 0 leaves: its run went on for nobody; one copy may go on now
    joined[0].resume()
    with pytest.raises(Refused):
        joined[1].resume()
    for seat in joined:
        seat.cancel()


@pytest.mark.timeout(120)
def test_a_run_only_the_browser_watches_still_counts_and_a_reloaded_tab_does_not(pool):
    first = pool.submit("tab0", job(iters=20000, seed=0), browser="B")
    other = pool.submit("tab1", job(iters=20000, seed=0), browser="B")
    first.cancel()  # tab 0 leaves; the run goes on for tab 1, of the same browser
    assert other.state in (QUEUED, RUNNING)
    with pytest.raises(Refused):
        pool.submit("tab0", job(iters=20000, seed=1), browser="B")
    neighbour = pool.submit("C", job(iters=20000, seed=0), browser="C")  # another browser watches it too:
    second = pool.submit("tab0", job(iters=20000, seed=1), browser="B")  # it is the class's, not B's
    for seat in (other, neighbour, second):
        seat.cancel()
    lone = pool.submit("tab5", job(iters=20000, seed=5), browser="D")
    pool.left("tab5")  # the tab was reloaded: its session waits out its grace period...
    again = pool.submit("tab6", job(iters=20000, seed=6), browser="D")  # ...and holds nothing meanwhile
    for seat in (lone, again):
        seat.cancel()


@pytest.mark.timeout(120)
def test_a_copy_keeps_its_points_in_order_and_stop_on_it_queued_keeps_its_figures(pool):
    a, b = two_on_one_run(pool)
    before = wait_until(a, {RUNNING})["points"]["iteration"]
    a.pause()
    after = wait_until(a, {PAUSED})["points"].get("iteration", [])
    seen = before + after
    assert seen == list(range(1, len(seen) + 1))  # none twice, none lost
    assert seen[-1] == a.checkpoint.iteration
    a.resume()  # queued behind b's run, on the one worker
    assert a.state == QUEUED and a.run.started_at is not None  # a run that had begun, not one never started
    a.stop()
    result = wait_until(a, {DONE})["last"]["result"]
    assert result.status == "stopped" and result.iteration == seen[-1]  # its figures, not a cancel
    b.cancel()


def test_a_gradient_check_is_never_refused_by_a_full_queue(pool):
    pool.max_wait = -1.0  # full: no new run may wait at all
    with pytest.raises(Refused) as full:
        pool.submit("s", job(iters=100))
    assert full.value.code == QUEUE_FULL
    check = pool.submit("s:check", job(task=GRADCHECK))
    wait_until(check, {DONE})


class _Run:
    """A finished run as the shared runs see it: a key, a state, a model file and curves."""

    def __init__(self, key, model_bytes=1000, points=10):
        self.key, self.state = key, DONE
        self.result = type("Done", (), {"model": b"x" * model_bytes})()
        self.history = {"loss": [0.5] * points}


def test_finished_runs_are_kept_for_a_time_a_count_and_a_size():
    shared = SharedRuns(keep_seconds=60, keep_runs=3, keep_bytes=10_000)
    for i in range(4):
        r = _Run(f"k{i}")
        shared.add(r)
        shared.ended(r, now=float(i))
    assert shared.find("k0", 4.0) is None and shared.find("k1", 4.0) is not None  # the oldest went first
    assert shared.sizes() == (3, 3 * (1000 + 10 * 32))
    assert shared.find("k1", 62.0) is None and shared.find("k3", 62.0) is not None  # k1 ended at 1 s
    big = _Run("big", model_bytes=9_000)
    shared.add(big)
    shared.ended(big, now=63.0)
    assert shared.find("big", 63.0) is big and shared.find("k3", 63.0) is None  # over the bytes: oldest out
    cancelled = _Run("c")
    cancelled.state = CANCELLED
    shared.add(cancelled)
    shared.ended(cancelled, now=64.0)
    assert shared.find("c", 64.0) is None and cancelled.key is None  # only a finished run is kept


def test_a_job_key_names_everything_that_makes_a_run():
    assert job_key(job(iters=100)) == job_key(job(iters=100))
    assert job_key(job(iters=100)) != job_key(job(iters=100, seed=1))
    assert job_key(job(iters=100)) != job_key(job(iters=101))
    assert PoolRun(None, job(iters=100)).key is None  # a run is private unless the pool shares it


@pytest.mark.timeout(120)
def test_a_stop_that_arrives_after_the_end_leaves_the_finished_run_to_join(pool):
    a = pool.submit("a", job(iters=100, seed=11))
    wait_until(a, {DONE})
    a.stop()  # a click that raced the run's end
    pool.end_session("a")
    for who in ("late", "later"):  # each arrival gets it whole: nobody's poll uses it up
        late = pool.submit(who, job(iters=100, seed=11))
        first = late.poll()
        assert late.run is a.run and first["state"] == DONE and len(first["points"]["loss"]) == 100
