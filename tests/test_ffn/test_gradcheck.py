"""The gradient check on screen: it passes a correct network and catches a broken backward."""

import numpy as np
import pytest

import ffn
from ffn.gradcheck import ATOL, THRESHOLD, float64_copy, gradient_check
from ffn.gradient import numerical_gradient, numerical_gradient_at
from ffn.layers import Affine, Relu, Sigmoid


@pytest.mark.parametrize("activation,decay", [("relu", 0.0), ("sigmoid", 1e-2), ("tanh", 0.0)])
def test_a_correct_network_passes_below_1e_7(mnist, activation, decay):
    (x, t), _ = mnist
    net = ffn.MultiLayerNet(784, [40, 20], 10, activation=activation, weight_decay_lambda=decay, seed=3)
    rows = gradient_check(net, x[:8], t[:8], entries=30)
    assert [r["param"] for r in rows] == ["W1", "b1", "W2", "b2", "W3", "b3"]
    assert all(r["ok"] and r["relative_error"] < THRESHOLD for r in rows), rows
    assert (
        rows[0]["checked"] == 30
        and rows[0]["size"] == 784 * 40
        and rows[5]["checked"] == rows[5]["size"] == 10
    )


def test_a_broken_backward_is_flagged(mnist, monkeypatch):
    (x, t), _ = mnist
    net = ffn.MultiLayerNet(784, [40, 20], 10, seed=3)
    right = Relu.backward

    def broken(self, dout, scratch=None):  # forgets to zero the gradient where the unit was off
        dx = right(self, dout, scratch)
        return dx + 0.5 * dout * self.mask

    monkeypatch.setattr(Relu, "backward", broken)
    rows = gradient_check(net, x[:8], t[:8], entries=30)
    bad = {r["param"] for r in rows if not r["ok"]}
    assert {"W1", "b1", "W2", "b2"} <= bad and {"W3", "b3"}.isdisjoint(
        bad
    )  # the last layer's gradient is upstream
    assert min(r["relative_error"] for r in rows if r["param"] in bad) > 1e-3


def test_a_sigmoid_whose_backward_forgets_a_factor_is_flagged(mnist, monkeypatch):
    (x, t), _ = mnist
    net = ffn.MultiLayerNet(784, [20], 10, activation="sigmoid", seed=1)
    monkeypatch.setattr(Sigmoid, "backward", lambda self, dout, scratch=None: dout * self.out)
    assert not gradient_check(net, x[:4], t[:4], entries=20)[0]["ok"]


def test_the_check_runs_on_a_float64_copy_and_leaves_the_network_alone(mnist):
    (x, t), _ = mnist
    net = ffn.MultiLayerNet(784, [16], 10, seed=0)
    before = net.param_vector.copy()
    gradient_check(net, x[:4], t[:4], entries=5)
    np.testing.assert_array_equal(net.param_vector, before)
    copy = float64_copy(net)
    assert copy.dtype == np.float64 and copy.config() == {**net.config()}
    np.testing.assert_array_equal(copy.param_vector, before.astype(np.float64))
    with pytest.raises(ValueError, match="positive integer, got 0"):
        gradient_check(net, x[:4], t[:4], entries=0)


def test_the_sampled_numerical_gradient_is_the_derivative_at_those_entries(rng):
    a = rng.standard_normal((5, 7))

    def f():
        return float(np.sum(np.sin(a) * a))

    idx = np.array([0, 9, 34, 12])
    exact = (np.cos(a) * a + np.sin(a)).reshape(-1)[idx]
    np.testing.assert_allclose(numerical_gradient_at(f, a, idx), exact, rtol=1e-7)
    np.testing.assert_allclose(numerical_gradient(f, a), np.cos(a) * a + np.sin(a), rtol=1e-7)
    before = a.copy()
    numerical_gradient_at(f, a, idx)
    np.testing.assert_array_equal(a, before)  # every nudged entry restored
    with pytest.raises(ValueError, match="contiguous"):
        numerical_gradient_at(f, a[:, ::2], idx[:2])


@pytest.mark.parametrize(
    "tricks",
    [
        dict(normalization="batch", dropout_ratio=0.3, residual=True),
        dict(normalization="layer", dropout_ratio=0.5, residual=True, activation="tanh"),
    ],
)
def test_a_network_with_every_trick_passes_with_dropout_masks_fixed(mnist, tricks):
    (x, t), _ = mnist
    net = ffn.MultiLayerNet(784, [24, 24, 12], 10, seed=4, **tricks)
    rows = gradient_check(net, x[:8], t[:8], entries=30)
    assert {"gamma2", "beta2", "W2"} <= {r["param"] for r in rows}
    before_bn = {"b1", "b2", "b3"} if tricks["normalization"] == "batch" else set()
    for r in rows:  # a bias just before batch norm has a gradient of 0: too small to check, not "right"
        if r["param"] in before_bn:
            assert r["tiny"] and not r["ok"], r
        else:
            assert r["ok"] and not r["tiny"] and r["relative_error"] < THRESHOLD, r
    running = net.stats.get("running_mean1")
    assert running is None or not running.any()  # the check ran on a copy: nothing measured into the network


def test_gradients_too_small_to_measure_are_said_to_be_so_and_never_passed(mnist, monkeypatch):
    """Five Sigmoid layers with weights of std 0.01: the gradient of W1 is about 1e-11, below
    the numerical gradient's own noise. The check says "too small to check" rather than crying
    wolf, and rather than passing it: even a backward whose dW1 has the wrong sign is not
    called right. A backward wrong by a factor fails where the gradient is large enough."""
    (x, t), _ = mnist
    net = ffn.MultiLayerNet(784, [64] * 4 + [32], 10, activation="sigmoid", weight_init="std", seed=0)
    rows = {r["param"]: r for r in gradient_check(net, x[:8], t[:8], entries=30)}
    assert all(r["ok"] or r["tiny"] for r in rows.values()), rows
    assert rows["W1"]["tiny"] and not rows["W1"]["ok"] and rows["W1"]["max_difference"] < ATOL
    assert rows["W6"]["ok"] and not rows["W6"]["tiny"]
    right = Affine.backward

    def flipped(self, dout, scratch=None):
        dx = right(self, dout, scratch)
        if not self.input_grad:  # the first layer: its dW with the wrong sign
            self.dW = -self.dW
        return dx

    monkeypatch.setattr(Affine, "backward", flipped)
    assert not {r["param"]: r for r in gradient_check(net, x[:8], t[:8], entries=30)}["W1"]["ok"]
    monkeypatch.setattr(Affine, "backward", right)
    sigmoid = Sigmoid.backward
    monkeypatch.setattr(
        Sigmoid, "backward", lambda self, dout, scratch=None: 1.5 * sigmoid(self, dout, scratch)
    )
    rows = {r["param"]: r for r in gradient_check(net, x[:8], t[:8], entries=30)}
    assert not rows["W5"]["ok"] and not rows["W5"]["tiny"] and rows["W6"]["ok"]
