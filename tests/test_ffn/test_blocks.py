"""A network's layers as named blocks: the residual block's two gradient paths, the order
the layers are built in, and the fresh copies that keep a shared network read-only."""

import numpy as np
import pytest

from ffn.architecture import check_config
from ffn.blocks import Residual, backward_layers, build_layers, forward_layers, fresh_layers, named_layers
from ffn.gradient import numerical_gradient, relative_error
from ffn.layers import Affine, Tanh
from ffn.tricks import BatchNormalization
from ffn.workspace import Workspace


def test_a_residual_blocks_backward_is_the_sum_of_its_two_paths(rng):
    x = rng.standard_normal((6, 5))
    W, b = rng.standard_normal((5, 5)) * 0.5, rng.standard_normal(5) * 0.1
    block = Residual([Affine(W, b), Tanh()])
    R = rng.standard_normal(x.shape)
    block.forward(x)
    dx = block.backward(R.copy())
    numerical = numerical_gradient(lambda: float(np.sum(block.forward(x, keep=False) * R)), x)
    assert relative_error(dx, numerical) < 1e-7

    through = [Affine(W, b), Tanh()]  # the block alone, without its skip
    h = x
    for layer in through:
        h = layer.forward(h)
    inner = R
    for layer in reversed(through):
        inner = layer.backward(inner)
    np.testing.assert_allclose(dx, R + inner)  # the skip's path (dout itself) plus the block's
    assert relative_error(dx, inner) > 0.1  # and not the block's path alone
    with pytest.raises(ValueError, match="keep its input's shape"):
        Residual([Affine(rng.standard_normal((5, 3)), np.zeros(3))]).forward(x)


def _cfg(**kw):
    return check_config(784, kw.pop("hidden", [16, 16, 8]), 10, **kw)


def _params(cfg, rng):
    from ffn.architecture import param_shapes, stat_shapes

    p = {
        k: rng.standard_normal(s)
        for k, s in param_shapes(784, cfg["hidden_size_list"], 10, cfg["normalization"]).items()
    }
    stats = {
        k: np.abs(rng.standard_normal(s))
        for k, s in stat_shapes(cfg["hidden_size_list"], cfg["normalization"]).items()
    }
    return p, stats


def test_layers_are_named_and_ordered_as_the_article_extends_them(rng):
    cfg = _cfg(normalization="batch", dropout_ratio=0.2, residual=True)
    p, stats = _params(cfg, rng)
    layers = build_layers(p, stats, cfg, rng)
    assert list(layers) == [
        "Affine1",
        "BatchNorm1",
        "Relu1",
        "Dropout1",
        "Residual2",
        "Affine3",
        "BatchNorm3",
        "Relu3",
        "Dropout3",
        "Affine4",
    ]
    assert list(layers["Residual2"].layers) == ["Affine2", "BatchNorm2", "Relu2", "Dropout2"]
    assert list(named_layers(layers))[4:9] == ["Affine2", "BatchNorm2", "Relu2", "Dropout2", "Residual2"]
    assert layers["BatchNorm1"].running_var is stats["running_var1"]  # by reference: saved with the model
    plain = build_layers(*_params(_cfg(activation="tanh"), rng), _cfg(activation="tanh"), rng)
    assert list(plain) == ["Affine1", "Tanh1", "Affine2", "Tanh2", "Affine3", "Tanh3", "Affine4"]
    ln = build_layers(
        *_params(_cfg(normalization="layer", hidden=[8, 4]), rng),
        _cfg(normalization="layer", hidden=[8, 4]),
        rng,
    )
    assert list(ln) == ["Affine1", "LayerNorm1", "Relu1", "Affine2", "LayerNorm2", "Relu2", "Affine3"]


def test_residual_connections_need_two_hidden_layers_of_one_size():
    with pytest.raises(ValueError, match="two consecutive hidden layers of the same size"):
        _cfg(hidden=[16, 8], residual=True)
    assert _cfg(hidden=[16, 16, 16, 8], residual=True)["residual"] is True


def test_fresh_copies_share_the_weights_and_write_nothing_into_the_originals(rng):
    cfg = _cfg(normalization="batch", dropout_ratio=0.5, residual=True)
    p, stats = _params(cfg, rng)
    layers = build_layers(p, stats, cfg, rng)
    copies = fresh_layers(layers)
    assert copies["Affine1"].W is layers["Affine1"].W
    assert copies["Residual2"].layers["BatchNorm2"].running_mean is stats["running_mean2"]
    x = rng.random((3, 784))
    before = {k: v.copy() for k, v in stats.items()}
    out = forward_layers(copies.items(), x, keep=True, train_flg=False)
    np.testing.assert_array_equal(out, forward_layers(layers.items(), x))  # inference: the same answer
    dx = backward_layers(copies.items(), np.ones_like(out))
    assert dx.shape == x.shape  # the copies compute the input's gradient (a saliency map needs it)
    for k in stats:
        np.testing.assert_array_equal(stats[k], before[k])
    assert all(getattr(layer, "x", None) is None for layer in named_layers(layers).values())


@pytest.mark.parametrize("normalization", ["batch", "layer"])
def test_a_workspace_gets_every_layers_arrays_and_the_same_gradients_as_without_one(normalization, rng):
    import ffn

    def net():
        return ffn.MultiLayerNet(
            784,
            [16, 16, 8],
            10,
            normalization=normalization,
            dropout_ratio=0.1,
            residual=True,
            weight_decay_lambda=0.01,
            seed=3,
            dtype=np.float64,
        )

    with_ws, without = net(), net()
    ws = Workspace(with_ws)
    x, t = rng.random((5, 784)), rng.integers(0, 10, 5)
    for _ in range(2):  # the second time through, every array is the workspace's kept one
        grads = with_ws.gradient(x, t, workspace=ws)
        plain = without.gradient(x, t)
    for key, g in grads.items():
        assert np.shares_memory(g, ws.grads_vector), key
        np.testing.assert_array_equal(g, plain[key])  # the same masks (one seed), the same numbers
    np.testing.assert_array_equal(with_ws.state_vector, without.state_vector)
    names = {layer for layer, _role in ws.arrays()}
    norm = {"batch": "BatchNorm2", "layer": "LayerNorm2"}[normalization]
    assert {"Affine2", norm, "Relu2"} <= names


def test_batch_norm_in_a_fresh_copy_backpropagates_through_the_running_statistics(rng):
    gamma, beta = rng.standard_normal(4), rng.standard_normal(4)
    bn = BatchNormalization(
        gamma, beta, running_mean=rng.standard_normal(4), running_var=np.abs(rng.standard_normal(4))
    )
    x, R = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    bn.forward(x, keep=True, train_flg=False)
    dx = bn.backward(R)
    numerical = numerical_gradient(lambda: float(np.sum(bn.forward(x, keep=False) * R)), x)
    assert relative_error(dx, numerical) < 1e-7
