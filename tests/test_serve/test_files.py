"""The server's large bytes on disk: a paused run's checkpoint and a finished run's model live
in the pool's folder, not its memory, and go when nothing will read them any more."""
import gc
import os
import shutil

import pytest

from ffn import checkpoint
from serve.files import FileStore
from serve.pool import TrainingPool
from serve.runs import CANCELLED, DONE, FAILED, PAUSED, RUNNING
from serve.seats import SharedRuns
from tests.test_serve.test_pool import job, trained, until, wait_until


def test_a_stored_file_lives_as_long_as_a_handle_to_it(tmp_path):
    store = FileStore()
    a = store.put(b"PK weights")
    assert a.read() == b"PK weights" and len(a) == a.size == 10 and os.path.dirname(a.path) == store.folder
    b = store.copy(a)
    assert b.read() == b"PK weights" and b.path != a.path
    assert store.sizes() == (2, 20)
    path = a.path
    del a
    gc.collect()
    assert not os.path.exists(path) and store.sizes() == (1, 10)  # the last handle went: so did the file
    b.release()
    assert not os.path.exists(b.path) and store.sizes() == (0, 0)
    elsewhere = tmp_path / "x.npz"
    elsewhere.write_bytes(b"mine")
    assert store.adopt(str(elsewhere)) is None  # never read nor deleted: not the store's
    store.discard(str(elsewhere))
    assert elsewhere.exists()
    kept = store.put(b"left")
    store.close()
    assert not os.path.exists(store.folder) and not os.path.exists(kept.path)


def test_a_handed_over_file_is_the_readers_to_delete():
    store = FileStore()
    f = store.put(b"state")
    path = f.hand_over()
    del f
    gc.collect()
    assert os.path.exists(path)  # a worker reads it, then deletes it
    store.close()


@pytest.mark.timeout(180)
def test_a_paused_runs_checkpoint_is_a_file_until_it_is_read_or_dropped(pool):
    folder = pool._files.folder
    run = pool.submit("a", job(iters=20000))
    wait_until(run, {RUNNING})
    trained(run, 20)
    run.pause()
    wait_until(run, {PAUSED})
    stored = run.checkpoint
    assert os.path.dirname(stored.path) == folder and stored.size > 100_000  # weights, Adam's or not, history
    assert checkpoint.load(stored.path)["iteration"] == stored.iteration >= 20
    assert pool.status()["files"] == (1, stored.size)
    first = stored.path
    del stored
    run.resume()  # the worker reads the file and deletes it
    wait_until(run, {RUNNING})
    until(lambda: not os.path.exists(first))
    trained(run, run.progress["iteration"] + 5)
    run.pause()
    wait_until(run, {PAUSED})
    second = run.checkpoint.path
    assert second != first and os.path.exists(second)
    pool.end_session("a")  # the session has gone: its paused run is cancelled, its file deleted
    assert run.state == CANCELLED and run.checkpoint is None and not os.path.exists(second)
    assert os.listdir(folder) == [] and pool.status()["files"] == (0, 0)


@pytest.mark.timeout(180)
def test_a_paused_copy_of_a_shared_run_has_a_file_of_its_own():
    pool = TrainingPool(workers=1, chunk=0.05, shared=SharedRuns())
    try:
        a, b = pool.submit("a", job(iters=20000)), pool.submit("b", job(iters=20000))
        assert a.run is b.run
        wait_until(a, {RUNNING})
        trained(a.run, 20)
        a.pause()
        wait_until(a, {PAUSED})
        assert b.state == RUNNING and os.path.exists(a.checkpoint.path)
        b.stop()
        wait_until(b, {DONE})
        model = b.result.model
        assert os.path.dirname(model.path) == pool._files.folder and model.read()[:2] == b"PK"
        folder = pool._files.folder
    finally:
        pool.shutdown()
    assert not os.path.exists(folder)  # the server's end removes whatever was left


@pytest.mark.timeout(120)
def test_a_finished_runs_model_waits_on_disk_and_goes_with_its_last_reader(pool):
    pool._shared = SharedRuns(keep_runs=0)  # nobody joins it later: the seat alone holds the run
    run = pool.submit("a", job(iters=60))
    wait_until(run, {DONE})
    model = run.result.model
    assert model.read()[:2] == b"PK" and pool.status()["files"] == (1, model.size)
    path = model.path
    pool.end_session("a")
    del run, model
    gc.collect()
    assert not os.path.exists(path)


def test_the_folder_goes_when_the_server_exits_without_closing_it():
    import subprocess
    import sys
    code = "from serve.files import FileStore; s = FileStore(); s.put(b'x'); print(s.folder)"
    folder = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert folder.strip() and not os.path.exists(folder.strip())


@pytest.mark.timeout(180)
def test_two_seats_pause_one_shared_run_and_each_resumes_from_a_file_of_its_own():
    pool = TrainingPool(workers=1, chunk=0.05, shared=SharedRuns())
    try:
        a, b, c = (pool.submit(s, job(iters=3000)) for s in "abc")
        assert a.run is b.run is c.run
        wait_until(a, {RUNNING})
        trained(a.run, 20)
        with pool._lock:  # both ask before the worker's next chunk: one Fork, two copies
            a.pause()
            b.pause()
        wait_until(a, {PAUSED})
        wait_until(b, {PAUSED})
        assert a.run is not b.run and a.checkpoint.path != b.checkpoint.path
        assert a.checkpoint.iteration == b.checkpoint.iteration and c.state == RUNNING
        files = [a.checkpoint.path, b.checkpoint.path]
        a.resume()
        b.resume()
        for seat in (a, b, c):
            wait_until(seat, {DONE}, timeout=120)
        assert a.result.iteration == b.result.iteration == c.result.iteration == 3000
        assert not any(os.path.exists(f) for f in files)  # each read once, then deleted
    finally:
        pool.shutdown()


@pytest.mark.timeout(120)
def test_a_pause_the_disk_cannot_hold_ends_the_run_with_a_reason(pool):
    run = pool.submit("a", job(iters=20000))
    wait_until(run, {RUNNING})
    trained(run, 10)
    shutil.rmtree(pool._files.folder)  # nowhere to write it
    run.pause()
    wait_until(run, {FAILED})
    assert run.error[0] == "disk" and "could not be written" in run.error[1]
    after = pool.submit("b", job(iters=30))  # the worker lives on and trains the next run
    wait_until(after, {DONE, FAILED})
    assert after.state == FAILED and after.error[0] == "disk"  # its model has nowhere to go either
