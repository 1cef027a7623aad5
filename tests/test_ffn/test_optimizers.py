import numpy as np
import pytest

import ffn

from ffn.three_layer_net import ThreeLayerNet
from ffn.optimizers import OPTIMIZERS, make_optimizer


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_each_optimizer_minimises_a_quadratic_in_place(name):
    target = np.array([3.0, -2.0])
    params = {"w": np.zeros(2)}
    w = params["w"]
    opt = make_optimizer(name, lr={"sgd": 0.1, "momentum": 0.05, "nesterov": 0.05, "adagrad": 0.9,
                                   "rmsprop": 0.05, "adam": 0.1}[name])
    for _ in range(500):
        opt.update(params, {"w": 2 * (params["w"] - target)})
    assert params["w"] is w  # updated in place, never rebound
    np.testing.assert_allclose(w, target, atol=0.05)


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_layers_still_see_the_params_after_steps(name, rng):
    net = ThreeLayerNet(784, 8, 10, weight_init="he", seed=0)
    ids = {k: id(v) for k, v in net.params.items()}
    opt = make_optimizer(name, 0.01)
    x = rng.random((16, 784)).astype(np.float32)
    t = rng.integers(0, 10, 16)
    before = net.params["W1"].copy()
    for _ in range(3):
        opt.update(net.params, net.gradient(x, t))
    assert {k: id(v) for k, v in net.params.items()} == ids
    assert net.layers["Affine1"].W is net.params["W1"]
    assert not np.array_equal(before, net.layers["Affine1"].W)  # the layer saw the update


def test_adam_matches_the_textbook_formula():
    g = np.array([0.5, -1.0])
    params = {"w": np.array([1.0, 1.0])}
    opt = make_optimizer("adam", 0.1)
    opt.update(params, {"w": g})
    # after one step with bias correction, the step is lr * sign(g) (up to eps)
    np.testing.assert_allclose(params["w"], [0.9, 1.1], rtol=1e-6)


@pytest.mark.parametrize("lr", [0, -1, float("nan"), float("inf"), "0.1", True])
def test_bad_learning_rate_is_refused(lr):
    with pytest.raises(ValueError, match="learning rate"):
        make_optimizer("sgd", lr)


def test_momentum_is_handed_to_momentum_and_nesterov_only():
    assert make_optimizer("momentum", 0.1, momentum=0.5).momentum == 0.5
    assert make_optimizer("nesterov", 0.1, momentum=0.0).momentum == 0.0
    assert make_optimizer("momentum", 0.1).momentum == 0.9  # the article's
    for name in ("sgd", "adagrad", "rmsprop", "adam"):
        assert not hasattr(make_optimizer(name, 0.1, momentum=0.5), "momentum")


def test_unknown_optimizer_is_refused():
    with pytest.raises(ValueError, match="'lbfgs'"):
        make_optimizer("lbfgs", 0.1)


def test_adams_moments_never_go_subnormal_and_the_flush_changes_no_weight():
    """A weight whose gradient stays 0 (a dead unit's) has its m shrink by 0.9 a step, into
    float32's slow subnormal range after ~760 steps, where it would stay for good."""
    rng = np.random.default_rng(0)
    g = rng.standard_normal(1000).astype(np.float32)
    dead = g * (np.arange(1000) >= 300)  # the first 300 weights' gradients are 0 from the second step on

    def run(flush_every):
        w = np.full(1000, 1e-20, np.float32)  # tiny weights: a flush of anything that moves them shows
        opt = ffn.Adam(1e-3)
        opt.FLUSH_EVERY = flush_every
        for i in range(1200):
            opt.update({"all": w}, {"all": g if i == 0 else dead})
        return w, opt.m["all"]

    w, m = run(ffn.Adam.FLUSH_EVERY)
    tiny = np.finfo(np.float32).tiny
    assert not ((m != 0) & (np.abs(m) < tiny)).any()
    w_never, m_never = run(10 ** 9)  # never flushed: they would be subnormal...
    assert ((m_never != 0) & (np.abs(m_never) < tiny)).sum() >= 250
    np.testing.assert_array_equal(w, w_never)  # ...and the weights are the same all the same
