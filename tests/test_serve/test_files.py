"""The server's large bytes on disk: a paused run's checkpoint and a finished run's model live
in the pool's folder, not its memory, and go when nothing will read them any more."""
import gc
import os

import pytest

from ffn import checkpoint
from serve.files import FileStore
from serve.pool import TrainingPool
from serve.runs import CANCELLED, DONE, PAUSED, RUNNING
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
