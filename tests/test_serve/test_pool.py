"""The training pool's mechanisms: the queue, one run per session, cancelling, a killed
worker, pause and resume, stop. Each test has a hang guard; none times anything."""
import os
import signal
import threading
import time

import numpy as np
import pytest

import ffn
from ffn import checkpoint
from ffn.settings import Limits
from serve.pool import HANDOFF, TrainingPool
from serve.seats import SharedRuns
from serve.protocol import GRADCHECK, TRAIN, Job, Start, Stop, from_wire
from tests.support import ROOT
from serve.runs import CANCELLED, DONE, FAILED, PAUSED, QUEUE_FULL, QUEUED, RUNNING, Refused


def job(iters=200, task=TRAIN, params=None, **changes):
    s = ffn.preset("article_he", train_size=2000, iters=iters, batch_size=64, **changes)
    return Job(s, Limits(), eval_size=500, evals_per_run=10, task=task, params=params)


def wait_until(run, states, timeout=60):
    """Poll ``run`` until its state is one of ``states``; return the polls' merged figures."""
    seen = {"points": {}, "polls": []}
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        p = run.poll()
        seen["polls"].append(p)
        for key, values in p["points"].items():
            seen["points"].setdefault(key, []).extend(values)
        if p["state"] in states:
            seen["last"] = p
            return seen
        time.sleep(0.02)
    raise AssertionError(f"run still {run.state} after {timeout} s, expected {states}")


def trained(run, n):
    """Wait until ``run`` reports at least ``n`` iterations."""
    while not (run.progress and run.progress["iteration"] >= n):
        time.sleep(0.01)


def until(check, timeout=30):
    """Wait until ``check()`` holds."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "it never happened"
        time.sleep(0.02)


def weights(result):
    net = ffn.load_model(result.model.path)
    return np.concatenate([net.params[k].ravel() for k in sorted(net.params)])


@pytest.mark.timeout(120)
def test_runs_queue_first_come_first_served_with_a_place_and_a_wait(pool):
    a, b, c = (pool.submit(f"s{i}", job(iters=1500, seed=i)) for i in range(3))
    wait_until(a, {RUNNING})
    pb, pc = b.poll(), c.poll()
    assert (pb["state"], pb["place"], pc["place"]) == (QUEUED, 1, 2)
    assert 0 < pb["wait"] < pc["wait"]
    for run in (a, b, c):
        wait_until(run, {DONE})
    assert a.started_at < b.started_at < c.started_at
    assert all(r.result.iteration == 1500 for r in (a, b, c))


@pytest.mark.timeout(120)
def test_a_queued_run_can_be_cancelled_and_never_runs(pool):
    a, b, c = pool.submit("a", job(iters=300)), pool.submit("b", job()), pool.submit("c", job(iters=50))
    wait_until(a, {RUNNING})
    b.cancel()
    assert b.poll()["state"] == CANCELLED and c.poll()["place"] == 1
    wait_until(c, {DONE})
    assert b.started_at is None and b.state == CANCELLED and a.state == DONE


@pytest.mark.timeout(120)
def test_one_run_per_session(pool):
    a = pool.submit("s", job(iters=50))
    with pytest.raises(ValueError, match="one run per session"):
        pool.submit("s", job(iters=50))
    wait_until(a, {DONE})
    wait_until(pool.submit("s", job(iters=50)), {DONE})  # a finished run makes room for the next


@pytest.mark.timeout(120)
def test_a_session_that_ends_has_its_run_cancelled_and_its_worker_freed(pool):
    a, b = pool.submit("gone", job(iters=20000)), pool.submit("next", job(iters=50))
    wait_until(a, {RUNNING})
    pool.end_session("gone")
    assert a.poll()["state"] == CANCELLED
    wait_until(b, {DONE})  # the worker was given back
    assert pool.status()["busy"] == 0


@pytest.mark.timeout(120)
def test_a_killed_worker_fails_its_run_only_and_is_replaced(pool):
    a, b = pool.submit("a", job(iters=20000)), pool.submit("b", job(iters=50))
    wait_until(a, {RUNNING})
    pid = pool.status()["pids"][0]
    os.kill(pid, signal.SIGKILL)
    last = wait_until(a, {FAILED})["last"]
    assert last["error"][0] == "worker_died"
    wait_until(b, {DONE})
    assert b.result.iteration == 50
    status = pool.status()
    assert status["workers"] == 1 and status["pids"][0] != pid


@pytest.mark.timeout(180)
def test_pause_gives_the_worker_back_and_resume_ends_with_the_weights_of_a_straight_run(pool):
    pool._shared = SharedRuns(keep_runs=0)  # the same run twice: the second does not join the first
    # long enough that a loaded machine cannot finish it before the pause arrives
    straight = pool.submit("straight", job(iters=1500, optimizer="adam", learning_rate=1e-3))
    wait_until(straight, {DONE})
    run = pool.submit("paused", job(iters=1500, optimizer="adam", learning_rate=1e-3))
    wait_until(run, {RUNNING})
    trained(run, 50)
    run.pause()
    wait_until(run, {PAUSED})
    at = run.checkpoint.iteration
    assert 50 <= at < 1500 and pool.status()["busy"] == 0
    other = pool.submit("other", job(iters=50))  # the worker serves someone else meanwhile
    wait_until(other, {DONE})
    run.resume()
    wait_until(run, {DONE})
    assert run.result.iteration == 1500
    np.testing.assert_array_equal(weights(run.result), weights(straight.result))


@pytest.mark.timeout(120)
def test_no_iteration_after_a_stop_is_acknowledged(pool):
    run = pool.submit("s", job(iters=20000))
    wait_until(run, {RUNNING})
    trained(run, 30)
    before = wait_until(run, {RUNNING})["points"]["iteration"]
    run.stop()
    after = wait_until(run, {DONE})["points"].get("iteration", [])
    result = run.result
    assert result.status == "stopped" and result.outcome[0] == "stopped"
    assert result.outcome[1]["iteration"] == result.iteration < 20000
    assert (before + after)[-1] == result.iteration == run.progress["iteration"]  # the last step reported
    # The worker's next run comes after anything it could still say of this one:
    wait_until(pool.submit("next", job(iters=10)), {DONE})
    assert run.poll()["points"] == {}  # nothing arrives once the stop is acknowledged


@pytest.mark.timeout(120)
def test_stopping_a_paused_run_gives_its_final_figures_without_training(pool):
    run = pool.submit("s", job(iters=20000))
    wait_until(run, {RUNNING})
    run.pause()
    at = wait_until(run, {PAUSED}) and run.checkpoint.iteration
    run.stop()
    wait_until(run, {DONE})
    assert run.result.iteration == at and run.result.status == "stopped"
    assert set(run.result.final) == {"train", "valid", "test"}


def test_bad_pool_arguments():
    with pytest.raises(ValueError, match="at least 1, got -1"):
        TrainingPool(workers=-1)


@pytest.mark.timeout(60)
def test_killing_the_server_leaves_no_worker_behind():
    import subprocess
    import sys
    server = subprocess.Popen([sys.executable, "-c", (
        "import time\nfrom serve.pool import TrainingPool\np = TrainingPool(workers=1)\n"
        "while not p.status()['ready']:\n    time.sleep(0.05)\n"  # its worker has loaded MNIST, and waits
        "print(p.status()['pids'][0], flush=True)\ntime.sleep(60)")], stdout=subprocess.PIPE, text=True,
        cwd=ROOT)
    worker = int(server.stdout.readline())
    server.kill()
    server.wait()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            os.kill(worker, 0)
        except ProcessLookupError:
            return
        if open(f"/proc/{worker}/stat").read().split()[2] == "Z":
            return  # exited; only its entry waits for a parent to read it
        time.sleep(0.1)
    raise AssertionError(f"worker {worker} outlived its server")


@pytest.mark.timeout(60)
def test_a_worker_that_stops_answering_is_reported_late_not_waited_for():
    pool = TrainingPool(workers=1, chunk=0.05, deadline=0.5)
    try:
        run = pool.submit("s", job(iters=20000))
        wait_until(run, {RUNNING})
        pid = pool.status()["pids"][0]
        os.kill(pid, signal.SIGSTOP)  # alive, but silent
        try:
            deadline = time.monotonic() + 10
            while not run.poll()["late"]:
                assert time.monotonic() < deadline, "never reported late"
                time.sleep(0.05)
        finally:
            os.kill(pid, signal.SIGCONT)
        wait_until(run, {RUNNING})
        until(lambda: not run.poll()["late"])  # it answers again
        run.stop()
        wait_until(run, {DONE})
    finally:
        pool.shutdown()


@pytest.mark.timeout(120)
def test_stopping_a_resumed_run_still_in_the_queue_keeps_its_figures(pool):
    run = pool.submit("a", job(iters=20000))
    wait_until(run, {RUNNING})
    run.pause()
    wait_until(run, {PAUSED})
    at = run.checkpoint.iteration
    other = pool.submit("b", job(iters=3000))  # takes the worker
    wait_until(other, {RUNNING})
    run.resume()
    assert run.poll()["state"] == QUEUED
    run.stop()  # while it waits behind "b": it ends where it paused, with its figures
    wait_until(run, {DONE})
    assert run.result.iteration == at and run.result.status == "stopped"


@pytest.mark.timeout(120)
def test_the_pools_thread_survives_an_error_and_pools_share_one_copy_of_mnist(pool, monkeypatch):
    calls = []
    real = pool._dispatch

    def broken_once():
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("a bug")
        real()
    monkeypatch.setattr(pool, "_dispatch", broken_once)
    run = pool.submit("a", job(iters=50))
    wait_until(run, {DONE})
    assert len(calls) > 1
    second = TrainingPool(workers=1)
    assert second._data_dir == pool._data_dir  # one folder per machine, reused
    second.shutdown()


@pytest.mark.timeout(120)
def test_a_cancelled_run_frees_its_worker_without_final_figures(pool):
    a, b = pool.submit("a", job(iters=20000)), pool.submit("b", job(iters=50))
    wait_until(a, {RUNNING})
    pool.end_session("a")
    assert a.poll()["cancel_reason"] == "session_ended" and a.result is None
    wait_until(b, {DONE}, timeout=30)


@pytest.mark.timeout(120)
def test_pause_and_stop_in_one_breath_stop_the_run(pool):
    run = pool.submit("s", job(iters=20000))
    wait_until(run, {RUNNING})
    run.pause()
    run.stop()  # in one batch the stop wins; in two, the paused run stops where it paused
    wait_until(run, {DONE})
    assert run.result.status == "stopped" and run.result.iteration < 20000


def test_runs_end_with_the_pool():
    pool = TrainingPool(workers=1, chunk=0.05)
    run = pool.submit("s", job(iters=20000))
    wait_until(run, {RUNNING})
    pool.shutdown()
    assert run.poll()["state"] == FAILED


@pytest.mark.timeout(30)
def test_the_page_wakes_when_a_run_changes_state_not_at_its_next_poll(pool):
    run = pool.submit("s", job(iters=100))
    seen = []
    while run.state != DONE:   # each wait would last a minute, past the hang guard, without the wake-up
        run.wait_for_change(60)
        seen.append(run.state)
    assert seen[-1] == DONE and len(seen) <= 3   # running (maybe seen already), then done


class WatchedLock:
    """A worker's send lock that tells the test when someone waits for it, and whether it was held then."""

    def __init__(self, lock):
        self.lock = lock
        self.entered = threading.Event()
        self.held_when_entered = None

    def __enter__(self):
        self.held_when_entered = self.lock.locked()
        self.entered.set()
        return self.lock.__enter__()

    def __exit__(self, *exc):
        return self.lock.__exit__(*exc)

    def release(self):
        self.lock.release()


@pytest.mark.timeout(60)
def test_a_run_is_sent_without_the_pools_lock_and_a_stop_waits_for_it(pool):
    w = pool._workers[0]
    sending = threading.Event()
    gate = threading.Event()
    sent = []
    real_send = w.conn.send

    def slow_send(data):  # a resumed run's megabytes of checkpoint, in slow motion
        if isinstance(from_wire(data), Start):
            sending.set()
            gate.wait(30)
        real_send(data)
        sent.append(type(from_wire(data)))
    w.conn.send = slow_send
    run = pool.submit("s", job(iters=20000))
    assert sending.wait(30)
    wait_until(run, {RUNNING})  # polls while the run is being sent: they would hang under the lock
    w.send_lock = WatchedLock(w.send_lock)
    stopper = threading.Thread(target=run.stop)
    stopper.start()
    assert w.send_lock.entered.wait(30)
    assert w.send_lock.held_when_entered  # the Stop waits for the run to reach the worker, not overtake it
    gate.set()
    stopper.join(30)
    assert sent.index(Start) < sent.index(Stop)
    assert wait_until(run, {DONE})["last"]["state"] == DONE and run.result.status == "stopped"


@pytest.mark.timeout(90)
def test_a_failed_send_among_several_starts_neither_deadlocks_nor_loses_the_others():
    pool = TrainingPool(workers=3, chunk=0.05)
    try:
        deadline = time.monotonic() + 60
        while not all(w.ready for w in pool._workers):
            assert time.monotonic() < deadline, "workers not ready"
            time.sleep(0.05)
        broken = pool._workers[0]

        def fails(msg):
            raise OSError("the pipe broke")
        broken.conn.send = fails  # its replacement takes the pool's lock and tells the others their threads
        runs = [pool.submit(f"s{i}", job(iters=300, seed=i)) for i in range(3)]  # three runs, not one
        finals = [wait_until(r, {DONE, FAILED})["last"]["state"] for r in runs]  # polls: the lock is free
        assert sorted(finals) == sorted([DONE, DONE, FAILED])
        assert [r.poll()["error"][0] for r in runs if r.state == FAILED] == ["worker_died"]
        assert not any(w.send_lock.locked() for w in pool._workers)
    finally:
        pool.shutdown()


@pytest.mark.timeout(180)
def test_ten_steps_equal_ten_iterations_of_a_straight_run(pool):
    adam = dict(optimizer="adam", learning_rate=1e-3)
    run = pool.submit("stepper", job(iters=200, **adam), step=True)  # a Step before it starts
    steps, losses = [], []
    for k in range(10):
        seen = wait_until(run, {PAUSED})
        steps += seen["points"].get("snapshot_step", [])
        losses += seen["points"].get("loss", [])
        assert run.checkpoint.iteration == k + 1  # exactly one iteration each
        if k < 9:
            run.step()
    assert [s["iteration"] for s in steps] == list(range(1, 11))
    assert all(s["images"].shape == (32, 784) and len(s["labels"]) == 32 for s in steps)
    assert [s["loss_before"] for s in steps] == losses
    straight = pool.submit("straight", job(iters=10, **adam))
    seen = wait_until(straight, {DONE})
    assert seen["points"]["loss"] == losses
    straight_net = ffn.load_model(straight.result.model.path)
    np.testing.assert_array_equal(checkpoint.load_params(run.checkpoint.path), straight_net.param_vector)
    run.resume()  # and it goes on as a run
    wait_until(run, {DONE})
    assert run.result.iteration == 200


@pytest.mark.timeout(120)
def test_snapshots_keep_only_the_latest_and_a_gradient_check_is_a_short_job(pool):
    run = pool.submit("s", job(iters=400))
    seen = wait_until(run, {DONE})
    assert seen["points"]["snapshot_w1"][-1]["iteration"] == 400
    assert seen["points"]["snapshot_w1"][-1]["W"].shape == (784, 64)
    assert all(len(p["points"].get("snapshot_w1", [])) <= 1 for p in seen["polls"])  # never a backlog
    assert seen["points"]["snapshot_w1_init"][0].shape == (784, 64)
    assert len(seen["points"]["grad_norm"]) == len(seen["points"]["health_iteration"]) >= 100
    net = ffn.load_model(run.result.model.path)
    pace = pool.status()["pace"]
    check = pool.submit("s:check", job(task=GRADCHECK, params=net.param_vector.copy()))
    wait_until(check, {DONE})
    rows = check.result.check
    assert [r["param"] for r in rows][:2] == ["W1", "b1"] and all(r["ok"] for r in rows)
    pool.end_session("s")  # a session's side jobs end with it
    assert "s:check" not in pool._runs
    wrong = pool.submit("s:check2", job(task=GRADCHECK, params=np.zeros(3)))
    wait_until(wrong, {FAILED})
    wrong = pool.submit("s:check3", job(task=GRADCHECK, params="not numbers"))
    wait_until(wrong, {FAILED})
    assert wrong.error[0] == "params"
    assert pool.status()["pace"] == pace  # a check trains nothing: it leaves the queue's estimates alone
    assert pool.status()["workers"] == 1 and pool.status()["busy"] == 0  # and a bad one kills no worker


@pytest.mark.timeout(120)
def test_a_paused_or_stopped_run_sends_the_tiles_of_its_last_iteration(pool):
    run = pool.submit("s", job(iters=20000))
    wait_until(run, {RUNNING})
    trained(run, 30)
    run.pause()
    seen = wait_until(run, {PAUSED})
    at = run.checkpoint.iteration
    assert seen["points"]["snapshot_w1"][-1]["iteration"] == at
    run.resume()
    wait_until(run, {RUNNING})
    trained(run, at + 1)  # it trains again: the stop comes in the middle of a stay
    run.stop()
    seen = wait_until(run, {DONE})
    assert seen["points"]["snapshot_w1"][-1]["iteration"] == run.result.iteration


@pytest.mark.timeout(120)
def test_the_wait_counts_each_run_ahead_by_its_own_work_and_a_full_queue_refuses_new_runs(pool):
    big = pool.submit("big", job(iters=20000))
    wait_until(big, {RUNNING})
    trained(big, 300)  # its worker's pace is measured by now
    small = pool.submit("small", job(iters=100, seed=1))
    wide = pool.submit("wide", job(iters=100, seed=2, hidden_size=512))
    last = pool.submit("last", job(iters=100, seed=3))
    with pool._lock:  # one moment for all three
        waits = [pool._queue_view(s.run)["wait"] for s in (small, wide, last)]
        pace = pool._pace.expected(pool.clock())
        ahead = big.run.work_left() / (pool._pace.of(pool._workers[0]) or pace)
    assert waits[0] == pytest.approx(ahead + HANDOFF)  # each run ahead: its work, then the handover
    assert waits[1] - waits[0] == pytest.approx(small.run.work / pace + HANDOFF)
    assert waits[2] - waits[1] == pytest.approx(wide.run.work / pace + HANDOFF)
    assert wide.run.work > 3 * small.run.work
    pool.max_wait = waits[2] / 2
    with pytest.raises(Refused) as full:
        pool.submit("one more", job(iters=100, seed=4))
    assert full.value.code == QUEUE_FULL and full.value.values["seconds"] > pool.max_wait
    joins = pool.submit("joins", job(iters=100, seed=1))
    assert joins.run is small.run  # a seat at a queued run costs nothing
    assert pool.cost(job(iters=100, seed=9, hidden_size=512)) == pytest.approx(wide.run.work / pace, rel=0.05)
    assert pool.cost(job(iters=100, seed=2, hidden_size=512)) == 0.0  # there to join: it costs nothing
    for seat in (big, small, wide, last):
        seat.cancel()
