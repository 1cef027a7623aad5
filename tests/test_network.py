import threading

import numpy as np
import pytest

import ffn

from ffn.gradient import relative_error
from ffn.network import MultiLayerNet, ThreeLayerNet


@pytest.mark.parametrize("activation", ["relu", "sigmoid", "tanh"])
def test_whole_net_backprop_matches_numerical_gradient(activation, rng):
    net = MultiLayerNet(6, [5, 4], 3, activation=activation, weight_init="xavier",
                        weight_decay_lambda=0.1, seed=1, dtype=np.float64)
    x = rng.normal(size=(4, 6))
    t = np.array([0, 2, 1, 2])
    num = net.numerical_gradient(x, t)
    grad = net.gradient(x, t)
    assert set(grad) == set(net.params)
    for key in net.params:
        assert grad[key].shape == net.params[key].shape
        assert relative_error(grad[key], num[key]) < 1e-6, key


def test_three_layer_net_is_the_articles_network():
    net = ThreeLayerNet(784, 64, 10, seed=0)
    assert [net.params[f"W{i}"].shape for i in (1, 2, 3)] == [(784, 64), (64, 32), (32, 10)]
    assert list(net.layers) == ["Affine1", "Relu1", "Affine2", "Relu2", "Affine3"]
    assert net.params["W1"].std() == pytest.approx(0.01, rel=0.05)
    assert not net.params["b1"].any()
    assert ThreeLayerNet(784, 64, 10, activation="sigmoid").layers.keys() >= {"Sigmoid1"}


def test_he_and_xavier_scale_with_fan_in():
    he = MultiLayerNet(784, [256], 10, weight_init="he", seed=0)
    xavier = MultiLayerNet(784, [256], 10, weight_init="xavier", seed=0)
    assert he.params["W1"].std() == pytest.approx(np.sqrt(2 / 784), rel=0.05)
    assert xavier.params["W2"].std() == pytest.approx(np.sqrt(1 / 256), rel=0.1)


def test_layers_share_the_params_arrays():
    net = ThreeLayerNet(784, 16, 10, seed=0)
    assert net.layers["Affine1"].W is net.params["W1"]
    assert net.layers["Affine3"].b is net.params["b3"]


def test_same_seed_same_weights_and_float32_default():
    a, b = ThreeLayerNet(784, 32, 10, seed=7), ThreeLayerNet(784, 32, 10, seed=7)
    for k in a.params:
        np.testing.assert_array_equal(a.params[k], b.params[k])
    assert a.params["W1"].dtype == np.float32
    assert not np.array_equal(a.params["W1"], ThreeLayerNet(784, 32, 10, seed=8).params["W1"])


def test_predict_proba_rows_sum_to_one_and_match_predict(rng):
    net = MultiLayerNet(784, [32, 16], 10, seed=0)
    x = rng.random((7, 784)).astype(np.float32)
    p = net.predict_proba(x)
    assert p.shape == (7, 10)
    np.testing.assert_allclose(p.sum(axis=1), 1, rtol=1e-5)
    np.testing.assert_array_equal(p.argmax(axis=1), net.predict(x).argmax(axis=1))
    assert net.predict_proba(x[0]).shape == (1, 10)


def test_accuracy_with_index_and_one_hot_labels(rng):
    net = MultiLayerNet(20, [8], 3, seed=0)
    x = rng.normal(size=(50, 20)).astype(np.float32)
    t = net.predict(x).argmax(axis=1)
    assert net.accuracy(x, t) == 1.0
    assert net.accuracy(x, np.eye(3)[t], batch_size=7) == 1.0
    assert net.accuracy(x, (t + 1) % 3) == 0.0


@pytest.mark.parametrize("kwargs, message", [
    (dict(hidden_size_list=[]), "hidden_size_list"),
    (dict(hidden_size_list=[0]), "hidden size must be an integer in"),
    (dict(hidden_size_list=[10 ** 6]), "got 1000000"),
    (dict(hidden_size_list=[8], activation="softplus"), "'softplus'"),
    (dict(hidden_size_list=[8], weight_init="zeros"), "'zeros'"),
    (dict(hidden_size_list=[8], weight_decay_lambda=-1), "got -1"),
    (dict(hidden_size_list=[8], dtype=np.int32), "dtype"),
])
def test_constructor_rejects_bad_options(kwargs, message):
    with pytest.raises(ValueError, match=message):
        MultiLayerNet(784, output_size=10, **kwargs)


def test_three_layer_net_rejects_tiny_hidden():
    with pytest.raises(ValueError, match="at least 2"):
        ThreeLayerNet(784, 1, 10)


@pytest.mark.parametrize("x, message", [
    (np.zeros((2, 783)), r"shape \(N, 784\), got \(2, 783\)"),
    (np.zeros((2, 2, 784)), "got \\(2, 2, 784\\)"),
    (np.full((1, 784), np.nan), "NaN"),
    (np.array([["a"] * 784]), "numeric"),
])
def test_predict_proba_rejects_bad_input(x, message):
    with pytest.raises(ValueError, match=message):
        MultiLayerNet(784, [8], 10).predict_proba(x)


def layer_state(net):
    """Every attribute of every layer, by identity: what a forward pass could write."""
    return {name: {k: id(v) for k, v in vars(layer).items()} for name, layer in
            [*net.layers.items(), ("last", net.lastLayer)]}


@pytest.mark.timeout(60)
def test_a_shared_network_is_only_read_by_inference(rng):
    """The app shares its bundled model with every session: eight threads predicting
    different drawings at once get what one thread gets, and nothing is written into it."""
    net = ffn.MultiLayerNet(784, [64, 32], 10, activation="sigmoid", seed=0)
    xs = [rng.random((3, 784)).astype(np.float32) for _ in range(8)]
    ts = [rng.integers(0, 10, 3) for _ in range(8)]
    expected = [(net.predict_proba(x), net.accuracy(x, t)) for x, t in zip(xs, ts)]
    before = layer_state(net)
    weights = {k: p.copy() for k, p in net.params.items()}
    mismatches = []

    def session(i):
        for _ in range(200):
            p, acc = net.predict_proba(xs[i]), net.accuracy(xs[i], ts[i])
            if not (np.array_equal(p, expected[i][0]) and acc == expected[i][1]):
                mismatches.append(i)
    threads = [threading.Thread(target=session, args=(i,)) for i in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(30)
    assert not any(th.is_alive() for th in threads) and not mismatches
    assert layer_state(net) == before and net.layers["Affine1"].x is None
    for k in weights:
        np.testing.assert_array_equal(net.params[k], weights[k])


def test_predict_proba_is_the_softmax_of_predict(rng):
    net = ffn.MultiLayerNet(784, [16, 8], 10, seed=1)
    x = rng.random((9000, 784)).astype(np.float32)  # more than one chunk
    np.testing.assert_allclose(net.predict_proba(x), ffn.softmax(net.predict(x)), rtol=1e-6)
    np.testing.assert_allclose(net.predict_proba(x[0]), net.predict_proba(x[:1]))


@pytest.mark.parametrize("activation", ["relu", "sigmoid", "tanh"])
def test_input_gradient_matches_numerical_gradient_and_writes_nothing(activation, rng):
    """The saliency of a drawing: dL/dx, which training skips, on request, in float64."""
    net = ffn.MultiLayerNet(12, [7, 5], 4, activation=activation, seed=2, dtype=np.float64)
    x = rng.normal(size=(3, 12))
    t = np.array([0, 3, 1])
    before = layer_state(net)
    dx = net.input_gradient(x, t)
    assert layer_state(net) == before and net.layers["Affine1"].x is None
    assert dx.shape == x.shape and net.layers["Affine1"].input_grad is False
    num = ffn.numerical_gradient(lambda: net.loss(x, t), x)
    assert relative_error(dx, num) < 1e-6
    assert net.input_gradient(x[0], t[:1]).shape == (12,)
    np.testing.assert_allclose(net.input_gradient(x[0], t[:1]), net.input_gradient(x[:1], t[:1])[0])
    with pytest.raises(ValueError, match="NaN"):
        net.input_gradient(np.full(12, np.nan), t[:1])


def test_params_are_views_of_one_vector():
    net = ffn.MultiLayerNet(784, [16, 8], 10, seed=0)
    assert net.param_vector.size == sum(p.size for p in net.params.values())
    for key, p in net.params.items():
        assert np.shares_memory(p, net.param_vector)
    net.param_vector[:] = 0
    assert not net.layers["Affine1"].W.any()
    given = {k: np.ones_like(p) for k, p in net.params.items()}
    loaded = ffn.MultiLayerNet(784, [16, 8], 10, params=given)
    given["W1"][0, 0] = 5  # the network copied them into its own vector
    assert loaded.params["W1"][0, 0] == 1
