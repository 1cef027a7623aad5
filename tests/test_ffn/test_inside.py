"""Inside the network: layer outputs, saliency, one unit's arithmetic, the score's shares."""

import threading

import numpy as np
import pytest

from ffn.gradient import relative_error
from ffn.inside import layer_outputs, saliency, score_contributions, unit_arithmetic
from ffn.network import MultiLayerNet

SHAPES = [[7], [7, 5], [7, 6, 5]]  # 1, 2 and 3 hidden layers


def net_of(hidden, activation="relu", dtype=np.float64):
    return MultiLayerNet(12, hidden, 4, activation=activation, weight_init="xavier", seed=3, dtype=dtype)


@pytest.mark.parametrize("hidden", SHAPES)
@pytest.mark.parametrize("activation", ["relu", "sigmoid", "tanh"])
def test_layer_outputs_are_the_layers_forward_outputs_and_end_with_the_scores(hidden, activation, rng):
    net = net_of(hidden, activation)
    x = rng.random(12)
    outs = layer_outputs(net, x)
    assert [name for name, _ in outs] == list(net.layers)
    h = x.reshape(1, -1)
    for (name, out), layer in zip(outs, net.layers.values()):
        h = layer.forward(h, keep=False)
        np.testing.assert_array_equal(out, h[0])
    np.testing.assert_array_equal(outs[-1][1], net.predict(x.reshape(1, -1))[0])
    assert outs[-1][1].shape == (4,)


@pytest.mark.parametrize("hidden", SHAPES)
@pytest.mark.parametrize("activation", ["relu", "sigmoid", "tanh"])
@pytest.mark.parametrize("versus", [None, 2])
def test_saliency_is_the_gradient_of_the_score_by_central_differences(hidden, activation, versus, rng):
    net = net_of(hidden, activation)
    x = rng.random(12)

    def score(v):
        s = net.predict(v.reshape(1, -1))[0]
        return s[1] - (0 if versus is None else s[versus])

    h, num = 1e-6, np.empty(12)
    for i in range(12):
        up, down = x.copy(), x.copy()
        up[i] += h
        down[i] -= h
        num[i] = (score(up) - score(down)) / (2 * h)
    got = saliency(net, x, 1, versus=versus)
    assert got.shape == (12,)
    assert relative_error(got, num) < 1e-6


@pytest.mark.parametrize("hidden", SHAPES)
@pytest.mark.parametrize("activation", ["relu", "sigmoid", "tanh"])
def test_a_units_arithmetic_adds_up_to_the_activation_shown(hidden, activation, rng):
    net = net_of(hidden, activation)
    x = rng.random(12)
    outs = dict(layer_outputs(net, x))
    for layer in range(1, net.n_affine + 1):
        for unit in range(net.params[f"W{layer}"].shape[1]):
            a = unit_arithmetic(net, x, layer, unit, top=3)
            assert a["z"] == pytest.approx(outs[f"Affine{layer}"][unit], rel=1e-12, abs=1e-12)
            assert a["z"] == pytest.approx(a["terms"].sum() + a["bias"], rel=1e-12, abs=1e-12)
            if layer < net.n_affine:
                assert a["activation"] == f"{activation.capitalize()}{layer}"
                assert a["out"] == outs[a["activation"]][unit]
            else:
                assert a["activation"] is None and a["out"] == pytest.approx(a["z"], rel=1e-12, abs=1e-12)
            big = np.abs(a["terms"][a["top"]])
            assert (
                len(a["top"]) == 3
                and np.all(big[:-1] >= big[1:])
                and big[-1] >= np.sort(np.abs(a["terms"]))[-3]
            )


def test_score_contributions_add_up_to_the_score_and_name_who_pushed(rng):
    net = net_of([7, 6])
    x = rng.random(12)
    c = score_contributions(net, x, 2)
    assert c["terms"].sum() + c["bias"] == pytest.approx(c["score"], rel=1e-12)
    assert all(c["terms"][j] > 0 for j in c["up"]) and all(c["terms"][j] < 0 for j in c["down"])
    assert len(c["up"]) <= 5 and len(c["down"]) <= 5
    if len(c["up"]):
        assert c["terms"][c["up"][0]] == c["terms"].max()
    assert c["proba"].sum() == pytest.approx(1.0)


def test_bad_questions_get_a_clear_message(rng):
    net = net_of([7, 5])
    x = rng.random(12)
    with pytest.raises(ValueError, match="got 4"):
        saliency(net, x, 4)
    with pytest.raises(ValueError, match="one drawing"):
        layer_outputs(net, rng.random((2, 12)))
    with pytest.raises(ValueError, match=r"layer must be .* got 0"):
        unit_arithmetic(net, x, 0, 0)
    with pytest.raises(ValueError, match=r"unit must be .* got 5"):
        unit_arithmetic(net, x, 2, 5)
    with pytest.raises(ValueError, match="NaN"):
        saliency(net, np.full(12, np.nan), 0)
    with pytest.raises(ValueError, match="exactly one"):
        net.input_gradient(x)


def test_eight_threads_explaining_different_drawings_with_one_network_agree_with_one_thread(rng):
    net = MultiLayerNet(784, [64, 32], 10, seed=0, dtype=np.float32)
    before = net.param_vector.copy()
    xs = rng.random((8, 784)).astype(np.float32)

    def explain(x):
        return (
            layer_outputs(net, x),
            saliency(net, x, 3, versus=5),
            unit_arithmetic(net, x, 1, 7)["z"],
            score_contributions(net, x, 3)["terms"],
        )

    alone = [explain(x) for x in xs]
    together = [None] * 8
    start = threading.Barrier(8)

    def worker(i):
        start.wait()
        for _ in range(20):
            together[i] = explain(xs[i])

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(60)
    for a, b in zip(alone, together):
        for (n1, o1), (n2, o2) in zip(a[0], b[0]):
            assert n1 == n2 and np.array_equal(o1, o2)
        assert np.array_equal(a[1], b[1]) and a[2] == b[2] and np.array_equal(a[3], b[3])
    np.testing.assert_array_equal(net.param_vector, before)  # read, never written
    assert all(getattr(layer, "x", None) is None for layer in net.layers.values())  # nothing kept


def test_a_gradient_at_the_scores_of_the_wrong_shape_or_not_finite_is_refused(rng):
    net = net_of([7, 5])
    x = rng.random((2, 12))
    for bad in (np.ones(3), np.ones((3, 4)), np.array([0, np.nan, 0, 0])):
        with pytest.raises(ValueError, match="dscores must be finite"):
            net.input_gradient(x, dscores=bad)
    np.testing.assert_allclose(
        net.input_gradient(x, dscores=np.eye(4)[1]),
        net.input_gradient(x, dscores=np.tile(np.eye(4)[1], (2, 1))),
    )


def test_a_units_weights_are_a_copy_not_the_shared_network(rng):
    net = net_of([7, 5])
    a = unit_arithmetic(net, rng.random(12), 1, 0)
    a["weights"][:] = 0
    assert np.any(net.params["W1"][:, 0] != 0)


def test_with_the_tricks_each_step_of_a_unit_is_named_and_what_it_passes_on_is_what_the_next_layer_reads(rng):
    from ffn.inside import hidden_outputs

    net = MultiLayerNet(
        784,
        [16, 16, 8],
        10,
        normalization="batch",
        dropout_ratio=0.5,
        residual=True,
        seed=1,
        dtype=np.float64,
    )
    net.gradient(rng.random((32, 784)), rng.integers(0, 10, 32))  # running statistics to use
    x = rng.random(784)
    outputs = layer_outputs(net, x)
    hidden = hidden_outputs(outputs)
    assert [name for name, _ in hidden] == ["Dropout1", "Residual2", "Dropout3"]
    a = unit_arithmetic(net, x, 2, 5, outputs=outputs)
    assert [name for name, _ in a["steps"]] == [
        "BatchNorm2",
        "Relu2",
        "Residual2",
    ]  # dropout: nothing at inference
    assert a["activation"] == "Relu2"
    bn = net.stats
    p = net.params
    n = (
        p["gamma2"][5] * (a["z"] - bn["running_mean2"][5]) / np.sqrt(bn["running_var2"][5] + 1e-5)
        + p["beta2"][5]
    )
    np.testing.assert_allclose([v for _, v in a["steps"]], [n, max(n, 0), hidden[0][1][5] + max(n, 0)])
    assert a["out"] == hidden[1][1][5]  # what layer 3 reads
    np.testing.assert_allclose(hidden[-1][1] @ p["W4"] + p["b4"], outputs[-1][1])
    last = unit_arithmetic(net, x, 4, 3, outputs=outputs)
    assert last["steps"] == [] and last["activation"] is None and last["out"] == outputs[-1][1][3]
