import threading
import time

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

import ffn
from ffn.notes import describe
from ffn.trainer import Trainer

from tests.support import reference


def small_run(mnist, n=2000, **kw):
    (x, t), (xt, tt) = mnist
    net = ffn.MultiLayerNet(784, [64, 32], 10, weight_init="he", seed=kw.pop("net_seed", 0))
    opt = ffn.make_optimizer(kw.pop("optimizer", "adam"), kw.pop("lr", 2e-3))
    tr = Trainer(net, opt, x[1000 : 1000 + n], t[1000 : 1000 + n], x[:1000], t[:1000], **kw)
    return tr, (xt, tt)


def test_training_on_2000_images_beats_85_percent(mnist):
    tr, (xt, tt) = small_run(mnist, batch_size=50, epochs=15, seed=0)
    tr.step()
    assert tr.status == "finished"
    acc = tr.final_accuracy(xt, tt)
    assert acc["test"] > 0.85, acc
    h = tr.history
    assert len(h["loss"]) == tr.total_iters == 600
    assert h["eval_iteration"][0] == 0 and len(h["valid_acc"]) == 16
    assert np.mean(h["loss"][-20:]) < np.mean(h["loss"][:20])


def test_diverging_run_stops_and_keeps_the_last_good_parameters(mnist):
    tr, _ = small_run(mnist, optimizer="sgd", lr=1e3, batch_size=100, iters=500, seed=0)
    W1 = tr.net.params["W1"]
    tr.step()
    assert tr.status == "diverged" and tr.done
    assert tr.iteration < 500
    assert "lower the learning rate" in describe(tr.outcome).lower()
    assert f"iteration {tr.iteration + 1}" in describe(tr.outcome)
    assert all(np.isfinite(p).all() for p in tr.net.params.values())
    assert tr.net.params["W1"] is W1 and tr.net.layers["Affine1"].W is W1
    assert np.isfinite(tr.net.loss(*tr_batch(mnist)))  # the kept weights gave a finite loss
    assert tr.step() == 0


def test_a_run_that_blows_up_goes_back_to_its_last_copy_and_says_which(mnist):
    """The weights are copied every KEEP_EVERY (50) iterations, not at every step."""
    tr, _ = small_run(mnist, optimizer="sgd", lr=0.05, batch_size=50, iters=500, seed=0)
    twin, _ = small_run(mnist, optimizer="sgd", lr=0.05, batch_size=50, iters=500, seed=0)
    tr.step(max_iters=73)
    twin.step(max_iters=50)
    tr.base_lr = 1e5  # the constant schedule hands this to the optimizer at the next step
    tr.step()
    assert tr.status == "diverged" and tr.outcome[1]["kept"] == 50 and tr.iteration > 73
    assert "weights from iteration 50 are kept" in describe(tr.outcome)
    np.testing.assert_array_equal(tr.net.param_vector, twin.net.param_vector)
    meta = ffn.settings.run_metadata(tr, ffn.TrainSettings(), tr.final_accuracy(), command="test")
    assert meta["iterations"] == 50 and meta["status"] == "diverged"


def test_an_optimizer_of_ones_own_gets_the_params_by_key(mnist):
    """Only an optimizer that says it works element by element is handed one vector."""

    class Recorder(ffn.SGD):
        elementwise = False

        def update(self, params, grads):
            self.keys = sorted(params)
            assert all(params[k].shape == grads[k].shape for k in params)
            super().update(params, grads)

    (x, t), _ = mnist
    net, opt = ffn.MultiLayerNet(784, [32, 16], 10, weight_init="he", seed=0), Recorder(0.1)
    before = net.params["b3"].copy()
    Trainer(net, opt, x[:640], t[:640], batch_size=64, iters=3, eval_size=64, seed=0).step()
    assert opt.keys == ["W1", "W2", "W3", "b1", "b2", "b3"]
    assert not np.array_equal(before, net.params["b3"])


def test_float64_images_and_one_hot_labels_train_a_float32_network(mnist):
    (x, t), _ = mnist
    x64, onehot = x[:640].astype(np.float64), np.eye(10)[t[:640]]
    net = ffn.MultiLayerNet(784, [32, 16], 10, weight_init="he", seed=0)
    tr = Trainer(net, ffn.Adam(1e-3), x64, onehot, batch_size=64, iters=20, eval_size=64, seed=0)
    tr.step()
    same = Trainer(
        ffn.MultiLayerNet(784, [32, 16], 10, weight_init="he", seed=0),
        ffn.Adam(1e-3),
        x[:640],
        t[:640],
        batch_size=64,
        iters=20,
        eval_size=64,
        seed=0,
    )
    same.step()
    assert net.layers["Affine1"].x.dtype == np.float32 and tr.t_train.dtype == np.float32
    np.testing.assert_allclose(net.param_vector, same.net.param_vector, rtol=1e-5, atol=1e-6)


def tr_batch(mnist):
    (x, t), _ = mnist
    return x[:100], t[:100]


def test_same_seed_gives_the_same_weights(mnist):
    a, _ = small_run(mnist, batch_size=64, iters=50, seed=3)
    b, _ = small_run(mnist, batch_size=64, iters=50, seed=3)
    a.step()
    b.step()
    for k in a.net.params:
        np.testing.assert_array_equal(a.net.params[k], b.net.params[k])
    c, _ = small_run(mnist, batch_size=64, iters=50, seed=4)
    c.step()
    assert not np.array_equal(a.net.params["W1"], c.net.params["W1"])


def test_pausing_in_chunks_changes_nothing(mnist):
    a, _ = small_run(mnist, batch_size=64, iters=90, seed=1)
    b, _ = small_run(mnist, batch_size=64, iters=90, seed=1)
    a.step()
    while b.step(max_iters=7):
        pass
    assert b.iteration == 90 and b.status == "finished"
    np.testing.assert_array_equal(a.net.params["W2"], b.net.params["W2"])
    assert a.history["loss"] == b.history["loss"]


def test_stop_and_progress(mnist):
    tr, _ = small_run(mnist, batch_size=64, iters=1000, seed=0)
    assert tr.step(max_iters=10) == 10
    p = tr.progress()
    assert p["iteration"] == 10 and p["total_iters"] == 1000 and p["samples_per_sec"] > 0
    assert p["seconds_left"] > 0
    tr.stop()
    assert tr.status == "stopped" and "iteration 10 of 1,000" in describe(tr.outcome)
    assert tr.step() == 0


def test_the_articles_settings_stall_and_the_trainer_says_why(mnist):
    (x, t), _ = mnist
    tr = ffn.build_trainer(ffn.preset("article", iters=600, train_size=5000), x, t)
    tr.step()
    assert tr.advice and "ln 10" in describe(tr.advice) and "He" in describe(tr.advice)
    assert np.mean(tr.history["loss"][-100:]) > 2.0


def test_max_seconds_bounds_a_chunk(mnist):
    tr, _ = small_run(mnist, batch_size=64, iters=10**6, seed=0)
    ran = tr.step(max_seconds=0.2)
    assert 0 < ran < 10**6 and not tr.done


@pytest.mark.parametrize(
    "kw, message",
    [
        (dict(batch_size=0, iters=10), "batch_size"),
        (dict(batch_size=10), "exactly one of iters and epochs"),
        (dict(batch_size=10, iters=10, epochs=1), "exactly one"),
        (dict(batch_size=10, iters=10, lr_schedule="warm"), "'warm'"),
    ],
)
def test_bad_arguments(mnist, kw, message):
    with pytest.raises(ValueError, match=message):
        small_run(mnist, **kw)


def drive_from_threads(step, n_threads=2, timeout=10):
    """Call ``step()`` from ``n_threads`` threads at once until it returns None; re-raise errors."""
    errors = []

    def loop():
        try:
            while step():
                pass
        except BaseException as e:  # noqa: BLE001 - handed to the test thread
            errors.append(e)

    threads = [threading.Thread(target=loop) for _ in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)  # the hang guard
    assert not any(t.is_alive() for t in threads), "a thread hung"
    if errors:
        raise errors[0]


@pytest.mark.timeout(30)
def test_two_threads_stepping_one_run_give_the_weights_of_one_thread(mnist):
    solo, _ = small_run(mnist, batch_size=64, iters=400, seed=5)
    solo.step()
    duo, _ = small_run(mnist, batch_size=64, iters=400, seed=5)
    # OpenBLAS takes a thread count from the main thread only (ffn.threads): set here, for the threads
    with threadpool_limits(1, user_api="blas"):
        # a thread that found the run busy waits a moment: a bare spin starves the stepping thread of
        # the GIL at each of run_threads' ctypes calls (14 iterations a second here)
        drive_from_threads(lambda: duo.step(max_iters=2) or (time.sleep(0.001) or not duo.done))
    assert duo.status == "finished" and duo.iteration == 400
    for k in solo.net.params:
        np.testing.assert_array_equal(duo.net.params[k], solo.net.params[k])
    assert duo.history["loss"] == solo.history["loss"]


@pytest.mark.timeout(30)
def test_stop_from_another_thread_ends_the_run_between_two_iterations(mnist):
    tr, _ = small_run(mnist, batch_size=64, iters=10**6, seed=0)
    worker = threading.Thread(target=tr.step, kwargs={"max_seconds": 8})
    worker.start()
    while tr.iteration < 20:
        time.sleep(0.005)
    tr.stop()  # the worker holds the run: the stop waits for its iteration
    worker.join(10)
    assert not worker.is_alive()
    n = tr.iteration
    assert (
        tr.status == "stopped" and describe(tr.outcome) == f"Stopped by you at iteration {n:,} of 1,000,000."
    )
    assert len(tr.history["loss"]) == n  # no iteration ran after the stop was acknowledged
    assert tr.step() == 0 and tr.iteration == n


def test_a_step_while_another_thread_steps_is_skipped(mnist):
    tr, _ = small_run(mnist, batch_size=64, iters=100, seed=0)
    with tr._lock:  # as if another thread were inside step()
        assert tr.step() == 0 and tr.iteration == 0
    assert tr.step(max_iters=5) == 5


@pytest.mark.timeout(30)
def test_stop_from_inside_step_asks_and_never_waits_on_itself(mnist):
    """A callback or a signal handler runs in the stepping thread: stop() must not wait
    for the lock that thread holds."""
    calls = []

    def augment(x, rng):
        calls.append(1)
        if len(calls) == 5:
            tr.stop()
        return x

    tr, _ = small_run(mnist, batch_size=64, iters=1000, seed=0, augment=augment)
    worker = threading.Thread(target=tr.step)
    worker.start()
    worker.join(10)
    assert not worker.is_alive(), "stop() from inside step() deadlocked"
    assert tr.status == "stopped" and tr.iteration == 5 == len(tr.history["loss"])
    assert describe(tr.outcome) == "Stopped by you at iteration 5 of 1,000."


@pytest.mark.parametrize(
    "optimizer, lr",
    [
        ("adam", 2e-3),
        ("sgd", 0.1),
        ("momentum", 0.05),
        ("nesterov", 0.05),
        ("adagrad", 0.02),
        ("rmsprop", 1e-3),
    ],
)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_one_epoch_gives_the_weights_of_the_straightforward_version(mnist, optimizer, lr, dtype):
    """The fast engine (reused arrays, one parameter vector, rescaled Adam moments) against
    tests/reference.py, which allocates every array and writes every formula as the
    textbook does: the same batches, the same weights after an epoch."""
    (x, t), _ = mnist
    x, t = x[:3200], t[:3200]
    net = ffn.MultiLayerNet(
        784, [64, 32], 10, weight_init="he", seed=0, dtype=dtype, weight_decay_lambda=1e-3
    )
    start = {k: p.copy() for k, p in net.params.items()}
    tr = Trainer(net, ffn.make_optimizer(optimizer, lr), x, t, batch_size=64, epochs=1, eval_size=100, seed=5)
    tr.step()
    ref, losses = reference.train_one_epoch(start, x.astype(dtype), t, optimizer, lr, 64, seed=5, decay=1e-3)
    assert tr.iteration == len(losses) == 50
    tol = {"rtol": 1e-9, "atol": 1e-12} if dtype == np.float64 else {"rtol": 2e-3, "atol": 2e-5}
    np.testing.assert_allclose(tr.history["loss"], losses, **tol)
    for key in start:
        assert not np.allclose(net.params[key], start[key])  # it learned something
        np.testing.assert_allclose(net.params[key], ref[key], **tol, err_msg=key)


def test_the_stall_note_follows_the_run_and_says_when_it_began_to_learn(mnist):
    (x, t), _ = mnist
    net = ffn.MultiLayerNet(784, [16, 8], 10, weight_init="std", weight_init_std=0.01, seed=0)
    tr = ffn.Trainer(net, ffn.SGD(0.01), x[:2000], t[:2000], batch_size=50, iters=1200, eval_every=100)
    tr.step(max_iters=600)
    first = tr.advice
    assert first[0] == "stalled" and first[1]["iteration"] == 600 and first[1]["grad1"] > 0
    tr.step(max_iters=100)
    assert tr.advice[1]["iteration"] == 700  # refreshed at each evaluation while it stays stalled
    tr.net.param_vector[...] *= 30  # a push out of the plateau at 700: weights of a sensible size...
    tr.optimizer.lr = tr.base_lr = 0.1  # ...and larger steps
    tr.step()
    code, values = tr.advice
    assert np.mean(tr.history["loss"][-100:]) < 2.0 and code == "stall_ended"
    assert 700 < values["began"] <= 750 and values["iteration"] == 1200  # where it left ln 10
    assert values["grad1"] == pytest.approx(first[1]["grad1"], rel=0.5)  # the stall's, not today's
    assert f"began to learn only at iteration {values['began']:,}" in describe(tr.advice)


def test_a_run_that_learns_at_once_has_no_stall_note(mnist):
    (x, t), _ = mnist
    net = ffn.MultiLayerNet(784, [16, 8], 10, weight_init="he", seed=0)
    tr = ffn.Trainer(net, ffn.SGD(0.1), x[:2000], t[:2000], batch_size=50, iters=600, eval_every=100)
    tr.step()
    assert tr.status == "finished" and tr.advice is None


def test_running_statistics_gone_infinite_end_the_run_and_go_back_with_the_weights(mnist):
    (x, t), _ = mnist
    tr = ffn.build_trainer(ffn.preset("article_he", normalization="batch", train_size=2000, iters=300), x, t)
    tr.step(max_iters=120)
    kept = tr._good.copy()
    tr.net.stats["running_var1"][0] = np.inf  # as a blown-up batch would leave them
    tr.step(max_iters=10)
    assert tr.status == "diverged"
    np.testing.assert_array_equal(tr.net.state_vector, kept)  # the statistics came back with the weights
    assert np.isfinite(tr.net.stats["running_var1"]).all()
