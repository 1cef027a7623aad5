"""The network diagram's figures: the units shown and the connections drawn are the top ones by
the stated rule, checked against a direct computation of the network's arithmetic."""
import numpy as np
import pytest

from ffn.diagram import forward, shown_units, strongest_edges
from ffn.functions import softmax
from ffn.network import MultiLayerNet


def net_of(activation="relu", **kw):
    return MultiLayerNet(784, [30, 12], 10, activation=activation, weight_init="he", seed=5, dtype=np.float64,
                         **kw)


def by_hand(net, x):
    """Each hidden layer's output and the probabilities, written out: z = xW + b, then the activation."""
    act = {"relu": lambda z: np.maximum(z, 0), "sigmoid": lambda z: 1 / (1 + np.exp(-z)), "tanh": np.tanh}
    outs, h = [], x
    for i in (1, 2):
        h = act[net.activation](h @ net.params[f"W{i}"] + net.params[f"b{i}"])
        outs.append(h)
    return outs, softmax((h @ net.params["W3"] + net.params["b3"])[None, :])[0]


def top(key, k):
    """Indices (or a dict's keys) of the k largest of ``key``, ties to the lower: the rule, plainly."""
    return sorted(key if isinstance(key, dict) else range(len(key)), key=lambda i: (-key[i], i))[:k]


@pytest.mark.parametrize("activation", ["relu", "sigmoid", "tanh"])
def test_the_units_shown_are_the_most_active_and_the_outputs_are_the_probabilities(activation, rng):
    net = net_of(activation)
    x = np.where(rng.random(784) < 0.2, rng.random(784), 0.0)
    d = forward(net, x, shown=20, edges=6)
    hidden, proba = by_hand(net, x)
    first, second, out = d["columns"]
    np.testing.assert_allclose(first["values"], hidden[0], rtol=1e-12, atol=1e-12)
    key = np.abs(hidden[0]) if activation == "tanh" else hidden[0]
    assert first["units"].tolist() == top(key, 20) and first["hidden"] == 10
    assert second["units"].tolist() == list(range(12)) and second["hidden"] == 0  # 12 <= 20: all, in order
    np.testing.assert_allclose(out["values"], proba, rtol=1e-12)
    assert out["units"].tolist() == list(range(10)) and d["digit"] == int(np.argmax(proba))


def test_the_connections_drawn_are_each_units_largest_contributions(rng):
    net = net_of()
    x = np.where(rng.random(784) < 0.2, rng.random(784), 0.0)
    d = forward(net, x, shown=20, edges=6)
    hidden, _proba = by_hand(net, x)
    sources = [np.flatnonzero(x), d["columns"][0]["units"], d["columns"][1]["units"]]
    inputs = [x, hidden[0], hidden[1]]
    for layer, links in enumerate(d["edges"], 1):
        W = net.params[f"W{layer}"]
        for j in d["columns"][layer - 1]["units"]:
            into = links[links[:, 1] == j]
            c = {int(i): inputs[layer - 1][i] * W[i, j] for i in sources[layer - 1]}
            expected = [i for i in top({i: abs(v) for i, v in c.items()}, 6) if c[i] != 0]
            assert into[:, 0].astype(int).tolist() == expected
            np.testing.assert_allclose(into[:, 2], [c[i] for i in expected], rtol=1e-12)


def test_a_pixel_without_ink_and_a_unit_at_zero_send_nothing(rng):
    """ReLU's zeros and blank pixels add nothing to a sum: no line is drawn from them."""
    net = net_of()
    x = np.zeros(784)
    x[300:310] = 1.0
    d = forward(net, x)
    assert set(d["edges"][0][:, 0].astype(int)) <= set(range(300, 310))
    for layer in (1, 2):
        off = set(np.flatnonzero(d["columns"][layer - 1]["values"] == 0))
        assert not off & set(d["edges"][layer][:, 0].astype(int))


def test_the_rule_on_its_own():
    a = np.array([0.5, 2.0, 2.0, -3.0, 0.0])
    assert shown_units(a, 2).tolist() == [1, 2]                       # ties: the lower index first
    assert shown_units(a, 2, "tanh").tolist() == [3, 1]               # Tanh: by magnitude
    assert shown_units(a, 9).tolist() == [0, 1, 2, 3, 4]              # no more than k: all, in order
    W = np.array([[1.0, -4.0], [2.0, 0.5], [-1.0, 0.0]])
    rows = strongest_edges(np.array([1.0, 1.0, 3.0]), W, np.array([0, 1, 2]), [0, 1], 2)
    assert rows.tolist() == [[2, 0, -3.0], [1, 0, 2.0], [0, 1, -4.0], [1, 1, 0.5]]


def test_every_network_the_sidebar_builds_is_drawn(rng):
    x = rng.random(784)
    for hidden, kw in (([24, 24, 24], dict(normalization="batch")), ([24, 24, 24], dict(residual=True)),
                       ([24, 24, 24], dict(dropout_ratio=0.2)), ([50], dict(activation="tanh")),
                       ([24] * 6, dict(normalization="layer", residual=True))):
        net = MultiLayerNet(784, hidden, 10, weight_init="he", seed=1, dtype=np.float64, **kw)
        d = forward(net, x, shown=8)
        assert [len(c["units"]) for c in d["columns"]] == [8] * len(hidden) + [10]
        assert len(d["edges"]) == len(hidden) + 1 and all(len(e) for e in d["edges"])
        np.testing.assert_allclose(d["columns"][-1]["values"], net.predict_proba(x[None, :])[0], rtol=1e-12)
