import numpy as np

from ffn.augment import Augment, affine_warp


def test_shapes_range_and_determinism(mnist):
    (x, t), _ = mnist
    aug = Augment()
    out = aug(x[:64], np.random.default_rng(0))
    assert out.shape == (64, 784) and out.dtype == np.float32
    assert out.min() >= 0 and out.max() <= 1
    np.testing.assert_array_equal(out, aug(x[:64], np.random.default_rng(0)))
    assert not np.array_equal(out, x[:64])
    assert not np.shares_memory(out, x)  # the data set itself is never modified


def test_zero_ranges_are_the_identity(mnist):
    (x, _), _ = mnist
    none = Augment(rotate=0, scale=0, aspect=0, shear=0, shift=0, thicken=0, thin=0)
    np.testing.assert_allclose(none(x[:8], np.random.default_rng(1)), x[:8], atol=1e-6)


def test_distortions_keep_the_digit_recognisable(mnist):
    """Labels stay valid: a model trained on clean digits still reads most distorted ones."""
    import ffn
    (x, t), _ = mnist
    net = ffn.load_model()
    out = Augment()(x[:500], np.random.default_rng(2))
    assert net.accuracy(out, t[:500]) > 0.95
    assert (np.abs(out - x[:500]).sum(axis=1) > 1).mean() > 0.9  # they did change


def test_affine_warp_shift_moves_the_image():
    img = np.zeros((1, 28, 28), np.float32)
    img[0, 10, 10] = 1
    inv = np.array([[[1, 0, -3], [0, 1, 2]]], dtype=np.float64)  # out(x, y) = in(x - 3, y + 2)
    out = affine_warp(img, inv)
    assert out[0, 8, 13] == 1 and out.sum() == 1
