import numpy as np
import pytest

from ffn.functions import cross_entropy_error, log_softmax, softmax, to_label_indices


def test_softmax_rows_sum_to_one_for_huge_logits():
    x = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4], [3.0, 1.0, 0.2]])
    for dtype in (np.float32, np.float64):
        y = softmax(x.astype(dtype))
        assert np.all(np.isfinite(y))
        np.testing.assert_allclose(y.sum(axis=1), 1, rtol=1e-6)
        assert y.dtype == dtype
    np.testing.assert_allclose(softmax(x)[0], [1, 0, 0])


def test_softmax_is_shift_invariant_and_works_on_1d():
    x = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(softmax(x), softmax(x + 1000))
    np.testing.assert_allclose(softmax(x), np.exp(x) / np.exp(x).sum())


def test_log_softmax_matches_log_of_softmax():
    x = np.random.default_rng(0).normal(size=(5, 10))
    np.testing.assert_allclose(log_softmax(x), np.log(softmax(x)))


def test_cross_entropy_indices_and_one_hot_agree():
    y = softmax(np.random.default_rng(1).normal(size=(4, 10)))
    t = np.array([3, 0, 9, 3])
    expected = -np.mean(np.log(y[np.arange(4), t]))
    assert cross_entropy_error(y, t) == pytest.approx(expected)
    assert cross_entropy_error(y, np.eye(10)[t]) == pytest.approx(expected)


def test_cross_entropy_single_sample_and_zero_probability():
    y = np.array([0.0, 1.0, 0.0])
    assert cross_entropy_error(y, np.array([0, 1, 0])) == pytest.approx(0, abs=1e-12)
    loss = cross_entropy_error(y, np.array(0))
    assert np.isfinite(loss) and loss > 30  # clipped at eps, not inf


def test_to_label_indices_rejects_bad_labels():
    with pytest.raises(ValueError, match="got dtype float64"):
        to_label_indices(np.array([0.5, 1.0]), 10)
