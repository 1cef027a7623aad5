"""Gradient health: the recorded figures are the network's own, recording changes nothing,
and a Step's capture is the iteration itself."""

import pickle

import numpy as np
import pytest

import ffn
from ffn import checkpoint
from ffn.diagram import shown_units
from ffn.health import FIXED_BATCH, HEALTH_KEYS, RECORDS_PER_RUN, TILES, Health, first_layer


def build(mnist, **changes):
    (x, t), _ = mnist
    s = ffn.preset("article_he", **{"train_size": 2000, "iters": 300, "batch_size": 64, **changes})
    return ffn.build_trainer(s, x, t, eval_size=500, evals_per_run=7)


@pytest.mark.parametrize("changes", [dict(), dict(weight_decay=1e-2, optimizer="adam", learning_rate=1e-3)])
def test_recorded_gradient_norms_and_update_ratios_are_those_of_gradient_computed_directly(mnist, changes):
    tr = build(mnist, **changes)
    tr.step(max_iters=10)
    nxt = next(i for i in range(tr.iteration + 1, tr.total_iters + 1) if tr.health.due(i))
    tr.step(max_iters=nxt - 1 - tr.iteration)
    state = checkpoint.take(tr)
    # the same iteration done by hand: its batch, gradient() on it, the optimizer's update
    twin = checkpoint.restore(build(mnist, **changes), pickle.loads(pickle.dumps(state)))
    twin.health.due = lambda i: False  # by hand, without the recorder
    x, t = twin._batch()
    x, t = x.copy(), t.copy()
    before = {k: v.copy() for k, v in twin.net.params.items()}
    grads = twin.net.gradient(x, t)
    expected = [float(np.linalg.norm(grads[f"W{i}"])) for i in range(1, 4)]
    tr.step(max_iters=1)
    assert tr.history["health_iteration"][-1] == nxt
    np.testing.assert_allclose(tr.history["grad_norm"][-1], expected, rtol=1e-5)
    moved = [
        np.linalg.norm(tr.net.params[f"W{i}"] - before[f"W{i}"]) / np.linalg.norm(before[f"W{i}"])
        for i in range(1, 4)
    ]
    np.testing.assert_allclose(tr.history["update_ratio"][-1], moved, rtol=1e-4)


def test_at_least_100_points_a_run_one_at_each_evaluation_and_recording_changes_nothing(mnist):
    tr = build(mnist)
    tr.step()
    h = tr.history
    assert set(HEALTH_KEYS) <= set(h)
    assert len(h["health_iteration"]) >= RECORDS_PER_RUN
    assert set(h["eval_iteration"][1:]) <= set(h["health_iteration"])  # iteration 0 has no gradient yet
    assert h["health_iteration"][0] == 1 and h["health_iteration"][-1] == tr.total_iters
    assert all(len(v) == 3 for v in h["grad_norm"]) and all(len(v) == 2 for v in h["inactive"])
    quiet = build(mnist)
    quiet.health.due = lambda i: False
    quiet.step()
    np.testing.assert_array_equal(tr.net.param_vector, quiet.net.param_vector)
    assert tr.history["loss"] == quiet.history["loss"]


def test_the_articles_init_starves_the_first_layer_of_gradient(mnist):
    """The stall the app explains: layer 1's gradient orders of magnitude below He's."""
    (x, t), _ = mnist
    norms = {}
    for init in ("std", "he"):
        tr = ffn.build_trainer(
            ffn.preset("article", weight_init=init, iters=200, train_size=5000),
            x,
            t,
            eval_size=500,
            evals_per_run=5,
        )
        tr.step()
        norms[init] = np.median([g[0] for g in tr.history["grad_norm"]])
    assert norms["he"] / norms["std"] > 100


def test_inactive_units_and_activation_statistics():
    net = ffn.MultiLayerNet(4, [3], 2, seed=0)
    net.params["W1"][...] = [[1, -1, 0], [0, 0, 0], [0, 0, 0], [0, 0, 0]]
    net.params["b1"][...] = [0, 0, -1]
    h = Health(net, np.array([[1, 0, 0, 0], [2, 0, 0, 0]], dtype=np.float32), total_iters=10, eval_every=5)
    inactive, mean, std = h.activations(h.x_fixed)
    # unit 0 is 1 and 2; unit 1 is -1 and -2, so 0; unit 2 is -1, so 0: two of three dead
    assert inactive == [pytest.approx(2 / 3)]
    assert mean[0] == pytest.approx(np.mean([1, 0, 0, 2, 0, 0]))
    assert std[0] == pytest.approx(np.std([1, 0, 0, 2, 0, 0]))
    sig = ffn.MultiLayerNet(4, [2], 2, activation="sigmoid", seed=0)
    sig.params["W1"][...] = 0
    sig.params["b1"][...] = [20, 0]  # unit 0 saturated at 1, unit 1 at 0.5
    assert Health(sig, np.zeros((3, 4), np.float32), 10, 5).activations(np.zeros((3, 4), np.float32))[0] == [
        0.5
    ]
    assert len(Health(net, np.zeros((500, 4), np.float32), 10, 5).x_fixed) == FIXED_BATCH


def test_a_captured_step_is_the_iteration_itself(mnist):
    tr = build(mnist, batch_size=100, augment=True)
    tr.step(max_iters=4)
    twin = checkpoint.restore(build(mnist, batch_size=100, augment=True), checkpoint.take(tr))
    twin.health.due = lambda i: False  # the same iteration by hand: its batch (augmented), its update
    rng_state = twin.rng.bit_generator.state
    x, t = twin._batch()
    x = twin.augment(x.copy(), twin.rng)
    twin.rng.bit_generator.state = rng_state  # put back: twin.step() draws the same batch again
    W1 = first_layer(tr.net)
    tr.health.capture_next()
    tr.step(max_iters=1)
    s = tr.health.step
    assert s["iteration"] == 5 and s["batch_size"] == 100 and s["images"].shape == (32, 784)
    assert s["images"].dtype == np.uint8 and s["labels"].shape == (32,)
    assert s["loss_before"] == tr.history["loss"][-1]
    np.testing.assert_allclose(s["dW1"], first_layer(tr.net) - W1, atol=1e-7)
    assert s["dW1"].shape == (784, min(TILES, 100))
    np.testing.assert_array_equal(s["images"], np.clip(np.rint(x[:32] * 255), 0, 255).astype(np.uint8))
    np.testing.assert_array_equal(s["labels"], t[:32])
    before = float(ffn.SoftmaxWithLoss().forward(twin.net.predict(x), t))
    assert s["loss_before"] == pytest.approx(before, rel=1e-6)
    twin.step(max_iters=1)
    np.testing.assert_array_equal(twin.net.param_vector, tr.net.param_vector)  # capturing changed nothing
    after = float(ffn.SoftmaxWithLoss().forward(twin.net.predict(x), t))  # the batch through the updated net
    assert s["loss_after"] == pytest.approx(after, rel=1e-6) and s["loss_after"] < s["loss_before"]
    tr.step(max_iters=1)
    assert tr.health.step["iteration"] == 5  # one capture per request


@pytest.mark.parametrize("preset, changes", [("article_he", {}), ("deep_stuck", {}),
                                             ("deep_stuck", dict(normalization="batch", residual=True)),
                                             ("deep_stuck", dict(weight_decay=0.1))])
def test_the_backward_a_step_draws_is_the_iterations_own_gradient(mnist, preset, changes):
    """The diagram's backward for a Step: each unit's gradient is gradient()'s on the step's batch
    less weight decay's own term (which flows nowhere), the units shown the largest, the error at
    the outputs the first image's y - t, and the weights drawn as changed most are among the six
    largest changes into each unit shown."""
    (x_all, t_all), _ = mnist

    def make():
        s = ffn.preset(preset, **{"train_size": 2000, "iters": 300, "batch_size": 64, "epochs": 0, **changes})
        return ffn.build_trainer(s, x_all, t_all, eval_size=500, evals_per_run=7)
    tr = make()
    tr.step(max_iters=3)
    twin = checkpoint.restore(make(), checkpoint.take(tr))
    twin.health.due = lambda i: False
    rng_state = twin.rng.bit_generator.state
    x, t = twin._batch()
    twin.rng.bit_generator.state = rng_state
    grads = twin.net.gradient(x, t)
    y_first = twin.net.lastLayer.y[0].astype(np.float64)
    before = {k: v.copy() for k, v in twin.net.params.items()}
    lam = twin.net.weight_decay_lambda
    tr.health.capture_next()
    tr.step(max_iters=1)
    twin.step(max_iters=1)
    b = tr.health.step["backward"]
    for layer, column in enumerate(b["columns"], 1):
        back = grads[f"W{layer}"].astype(np.float64) - lam * before[f"W{layer}"].astype(np.float64)
        by_hand = np.linalg.norm(back, axis=0)
        np.testing.assert_allclose(column["grad"], by_hand, rtol=1e-4, atol=1e-9)
        assert b["norms"][layer - 1] == pytest.approx(np.linalg.norm(back), rel=1e-4)
        if layer < len(b["columns"]):
            assert column["units"].tolist() == shown_units(column["grad"], 20).tolist()
            assert np.all(by_hand[column["units"]].min() >= np.delete(by_hand, column["units"]) * (1 - 1e-6))
    expected = y_first.copy()
    expected[int(tr.health.step["labels"][0])] -= 1.0
    np.testing.assert_allclose(b["columns"][-1]["values"], expected, rtol=1e-4, atol=1e-7)
    if lam:  # the L2 term would have lit the first layer: it is left out
        assert b["norms"][0] < 1e-3 * tr.history["grad_norm"][-1][0]
    for layer, links in enumerate(b["edges"], 1):
        change = twin.net.params[f"W{layer}"] - before[f"W{layer}"]
        for i, j, c in links:
            assert c == pytest.approx(change[int(i), int(j)], rel=1e-4, abs=1e-9)
            sources = np.arange(len(change)) if layer == 1 else b["columns"][layer - 2]["units"]
            sixth = np.sort(np.abs(change[sources, int(j)]))[::-1][min(5, len(sources) - 1)]
            assert abs(c) >= sixth * (1 - 1e-6)  # among the six largest changes into its unit
