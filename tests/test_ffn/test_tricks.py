"""The article's tricks as layers: float64 gradient checks, inference behaviour, expected
values, and a small network with every trick on (the residual block's own tests are in
test_blocks.py)."""

import numpy as np
import pytest

from ffn.gradient import numerical_gradient, relative_error
from ffn.layers import Affine, Relu, SoftmaxWithLoss, Tanh
from ffn.blocks import Residual
from ffn.tricks import BatchNormalization, Dropout, LayerNormalization


def check(layer, x, params=(), train_flg=True, rng=None):
    """Backprop of ``sum(forward(x) * R)`` against central differences, for x and each named
    parameter; returns the largest relative error."""
    rng = rng or np.random.default_rng(1)
    R = rng.standard_normal(layer.forward(x.copy(), train_flg=train_flg).shape)

    def loss():
        return float(np.sum(layer.forward(x, train_flg=train_flg) * R))

    layer.forward(x, train_flg=train_flg)
    dout = R.copy()
    dx = layer.backward(dout)
    np.testing.assert_array_equal(dout, R)  # dout is never modified
    errors = [relative_error(dx, numerical_gradient(loss, x))]
    for name in params:
        errors.append(
            relative_error(getattr(layer, "d" + name), numerical_gradient(loss, getattr(layer, name)))
        )
    return max(errors)


@pytest.fixture
def x(rng):
    return rng.standard_normal((6, 5))


def test_batch_normalisation_gradients(x, rng):
    bn = BatchNormalization(rng.standard_normal(5), rng.standard_normal(5))
    assert check(bn, x, ("gamma", "beta")) < 1e-7


def test_layer_normalisation_gradients(x, rng):
    ln = LayerNormalization(rng.standard_normal(5), rng.standard_normal(5))
    assert check(ln, x, ("gamma", "beta")) < 1e-7


def test_dropout_gradient_with_a_fixed_mask(x, rng):
    d = Dropout(0.4)
    d.fixed_mask = rng.random(x.shape) >= 0.4
    assert check(d, x) < 1e-7


def test_batch_normalisation_at_inference_is_the_formula_with_the_running_statistics(rng):
    gamma, beta = rng.standard_normal(4), rng.standard_normal(4)
    bn = BatchNormalization(gamma, beta, momentum=0.8)
    batches = [rng.standard_normal((10, 4)) * 3 + 2 for _ in range(3)]
    mean, var = np.zeros(4), np.ones(4)
    for b in batches:
        bn.forward(b)
        mean, var = 0.8 * mean + 0.2 * b.mean(axis=0), 0.8 * var + 0.2 * b.var(axis=0)
    np.testing.assert_allclose(bn.running_mean, mean)
    np.testing.assert_allclose(bn.running_var, var)
    x = rng.standard_normal((7, 4))
    kept = (bn.running_mean.copy(), bn.running_var.copy(), bn.xn.copy())
    out = bn.forward(x, keep=False)  # inference: writes nothing
    np.testing.assert_allclose(out, gamma * (x - mean) / np.sqrt(var + bn.eps) + beta)
    np.testing.assert_array_equal(bn.running_mean, kept[0])
    np.testing.assert_array_equal(bn.running_var, kept[1])
    np.testing.assert_array_equal(bn.xn, kept[2])
    train = bn.forward(x)  # training: the batch's own statistics, normalised to mean 0, std 1
    np.testing.assert_allclose((train - beta) / gamma, (x - x.mean(0)) / np.sqrt(x.var(0) + bn.eps))


def test_layer_normalisation_is_the_same_at_training_and_inference(x, rng):
    ln = LayerNormalization(rng.standard_normal(5), rng.standard_normal(5))
    np.testing.assert_array_equal(ln.forward(x, keep=False), ln.forward(x, train_flg=True))


def test_dropout_is_off_at_inference_and_keeps_the_expected_value(rng):
    d = Dropout(0.3, rng=np.random.default_rng(5))
    x = rng.standard_normal((200, 50)) + 1
    assert d.forward(x, keep=False) is x
    outs = np.stack([d.forward(x) for _ in range(400)])
    np.testing.assert_allclose(outs.mean(axis=0).mean(), x.mean(), rtol=0.01)
    assert abs(np.mean(outs == 0) - 0.3) < 0.01
    kept = outs[-1] != 0
    np.testing.assert_allclose(outs[-1][kept], x[kept] / 0.7)
    np.testing.assert_array_equal(d.backward(np.ones_like(x)), kept / 0.7)
    for bad in (1.0, -0.1, True, "half"):
        with pytest.raises(ValueError, match="ratio must be in"):
            Dropout(bad)
    state = d.rng.bit_generator.state
    with pytest.raises(ValueError, match="pass keep=True"):  # a mask drawn without keep would move the rng
        d.forward(x, keep=False, train_flg=True)
    assert d.rng.bit_generator.state == state


def test_a_small_network_with_every_trick_on_passes_the_gradient_check(rng):
    """Affine, BatchNorm, ReLU, Dropout (a fixed mask), a residual block with LayerNorm and
    Tanh, Affine, softmax with loss: every parameter's gradient below 1e-6."""
    p = {
        "W1": rng.standard_normal((8, 6)) * 0.5,
        "b1": np.zeros(6),
        "gamma1": 1 + rng.standard_normal(6) * 0.1,
        "beta1": rng.standard_normal(6) * 0.1,
        "W2": rng.standard_normal((6, 6)) * 0.5,
        "b2": np.zeros(6),
        "gamma2": 1 + rng.standard_normal(6) * 0.1,
        "beta2": rng.standard_normal(6) * 0.1,
        "W3": rng.standard_normal((6, 3)) * 0.5,
        "b3": np.zeros(3),
    }
    drop = Dropout(0.25)
    x, t = rng.standard_normal((10, 8)), rng.integers(0, 3, 10)
    drop.fixed_mask = rng.random((10, 6)) >= 0.25
    block = Residual([Affine(p["W2"], p["b2"]), LayerNormalization(p["gamma2"], p["beta2"]), Tanh()])
    layers = [
        Affine(p["W1"], p["b1"]),
        BatchNormalization(p["gamma1"], p["beta1"]),
        Relu(),
        drop,
        block,
        Affine(p["W3"], p["b3"]),
    ]
    last = SoftmaxWithLoss()

    def loss():
        h = x
        for layer in layers:
            h = (
                layer.forward(h, train_flg=True)
                if not isinstance(layer, (Affine, Relu))
                else layer.forward(h)
            )
        return last.forward(h, t)

    loss()
    d = last.backward(1)
    for layer in reversed(layers):
        d = layer.backward(d)
    inner = list(block.layers.values())
    grads = {
        "W1": layers[0].dW,
        "b1": layers[0].db,
        "gamma1": layers[1].dgamma,
        "beta1": layers[1].dbeta,
        "W2": inner[0].dW,
        "b2": inner[0].db,
        "gamma2": inner[1].dgamma,
        "beta2": inner[1].dbeta,
        "W3": layers[5].dW,
        "b3": layers[5].db,
    }
    for key, g in grads.items():
        numerical = numerical_gradient(loss, p[key])
        if key == "b1":  # a bias just before batch norm has no effect: BN takes the batch's mean away
            assert np.abs(g).max() < 1e-12 and np.abs(numerical).max() < 1e-10
            continue
        assert relative_error(g, numerical) < 1e-6, key


def test_the_scale_and_shift_gradients_go_where_a_trainer_keeps_them(x, rng):
    from ffn.workspace import Scratch

    for layer in (
        BatchNormalization(rng.standard_normal(5), rng.standard_normal(5)),
        LayerNormalization(rng.standard_normal(5), rng.standard_normal(5)),
    ):
        vector = np.zeros(10)
        scratch = Scratch("Norm1")
        scratch.bind("dgamma", vector[:5])
        scratch.bind("dbeta", vector[5:])
        layer.forward(x)
        dout = rng.standard_normal(x.shape)
        layer.backward(dout, scratch=scratch)
        assert np.shares_memory(layer.dgamma, vector) and np.shares_memory(layer.dbeta, vector)
        np.testing.assert_allclose(vector[:5], np.sum(layer.xn * dout, axis=0))
        np.testing.assert_allclose(vector[5:], dout.sum(axis=0))
