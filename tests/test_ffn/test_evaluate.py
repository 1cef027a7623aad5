"""evaluate() against a brute-force count."""
import numpy as np
import pytest

import ffn
from ffn.evaluate import cell, evaluate


@pytest.fixture(scope="module")
def result(mnist):
    _, (xt, tt) = mnist
    net = ffn.MultiLayerNet(784, [32], 10, seed=0)  # untrained: many mistakes of every kind
    trainer = ffn.Trainer(net, ffn.SGD(0.1), mnist[0][0][:3000], mnist[0][1][:3000], iters=60, batch_size=100)
    trainer.step()
    return net, xt[:3000], tt[:3000], evaluate(net, xt[:3000], tt[:3000], batch_size=700)


def test_evaluate_counts_as_brute_force_does(result):
    net, x, t, r = result
    p = net.predict_proba(x)
    pred = np.argmax(p, axis=1)
    brute = np.zeros((10, 10), dtype=int)
    for ti, pi in zip(t, pred):
        brute[ti, pi] += 1
    np.testing.assert_array_equal(r["confusion"], brute)
    assert r["confusion"].sum() == len(x) and r["confusion"].dtype == np.int64
    assert r["accuracy"] == np.trace(r["confusion"]) / len(x) == np.mean(pred == t)
    for k in range(10):
        assert r["per_class"][k] == pytest.approx(np.mean(pred[t == k] == k))
    np.testing.assert_array_equal(r["predicted"], pred)
    np.testing.assert_allclose(r["confidence"], p.max(axis=1), rtol=1e-6)


def test_the_mistakes_are_wrong_all_there_and_most_confident_first(result):
    _net, _x, t, r = result
    m = r["mistakes"]
    assert len(m) == int(np.sum(r["predicted"] != t)) > 100
    assert np.all(r["predicted"][m] != t[m])
    assert np.all(np.diff(r["confidence"][m]) <= 0)


def test_a_cell_holds_its_samples_most_confident_first(result):
    _net, _x, t, r = result
    true, pred = np.unravel_index(np.argmax(r["confusion"] - np.diag(np.diag(r["confusion"]))), (10, 10))
    idx = cell(r, t, true, pred, limit=1000)
    assert len(idx) == r["confusion"][true, pred]
    assert np.all(t[idx] == true) and np.all(r["predicted"][idx] == pred)
    assert np.all(np.diff(r["confidence"][idx]) <= 0)
    assert len(cell(r, t, true, pred, limit=3)) == min(3, len(idx))


def test_uint8_images_are_scaled_as_load_mnist_scales_them(mnist):
    _, (xt, tt) = mnist
    net = ffn.MultiLayerNet(784, [16], 10, seed=1)
    raw = np.clip(np.rint(xt[:500] * 255), 0, 255).astype(np.uint8)
    a, b = evaluate(net, raw, tt[:500]), evaluate(net, xt[:500], tt[:500])
    np.testing.assert_array_equal(a["confusion"], b["confusion"])
    one_hot = np.eye(10)[tt[:500]]
    np.testing.assert_array_equal(evaluate(net, xt[:500], one_hot)["confusion"], b["confusion"])
    assert np.isnan(evaluate(net, xt[:5], np.zeros(5, dtype=int))["per_class"][1])  # no sample of a 1
    with pytest.raises(ValueError, match="at least one sample"):
        evaluate(net, xt[:0], tt[:0])
    with pytest.raises(ValueError, match="5 rows but t has 4"):
        evaluate(net, xt[:5], tt[:4])


def test_row_shares_and_the_commonest_mistake():
    from ffn.evaluate import commonest_mistake, row_shares
    c = np.array([[8, 2, 0], [0, 0, 0], [5, 1, 4]])
    np.testing.assert_allclose(row_shares(c), [[0.8, 0.2, 0], [0, 0, 0], [0.5, 0.1, 0.4]])
    assert commonest_mistake(c) == (2, 0)
    assert c[0, 0] == 8  # the matrix given is left alone
